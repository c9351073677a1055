import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

// express's Response, as n8n hands it to webhook nodes (express itself may not be imported).
type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/** Answers the sender directly (no execution starts); never includes a secret or an expected signature. */
export function answer(res: Response, status: number, body: IDataObject): { noWebhookResponse: true } {
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

/**
 * Answers now, for a request n8n runs in streaming mode although this event expects no stream
 * (Layercode `session.update`, `session.end`, a session webhook's `session.start`): n8n's later
 * stream writes are dropped. Layercode `data` waits for the workflow instead (DataReply.ts).
 */
export function answerBeforeStreaming(res: Response, body: IDataObject): void {
	res.status(200).json(body);
	res.write = (() => true) as Response['write'];
	res.end = (() => res) as Response['end'];
}

/**
 * The answer n8n sends once it has created the execution (onReceived mode). `onAccepted` runs
 * when n8n reads the answer, which is after the execution exists and just before n8n saves the
 * workflow's static data. Writes to static data must happen then: starting the execution
 * re-creates n8n's static-data change tracker (WorkflowRunner.establishContextForPersistence),
 * which forgets changes made earlier in webhook() (measured on n8n 2.41.1).
 */
export function acceptWhenExecutionExists(
	workflowData: INodeExecutionData[][],
	onAccepted: () => void,
): IWebhookResponseData {
	let accepted = false;
	return {
		workflowData,
		get webhookResponse() {
			if (!accepted) {
				accepted = true;
				onAccepted();
			}
			return { status: 'accepted' };
		},
	};
}

/** What the sender is told when the workflow did not succeed: no node's error text, which may quote a secret or a payload. */
export const WORKFLOW_FAILED = {
	error: 'workflow_failed',
	message: 'The workflow did not finish successfully. Retry the delivery.',
};

/**
 * The answer for Acknowledge "when the workflow succeeds", where n8n runs the request in its
 * `lastNode` response mode: n8n answers once the execution has finished, 2xx when it succeeded and
 * an error (500 `Error in workflow`, or its error page) when it did not, in the process holding
 * the connection (also in queue mode). That answer is taken over here: whatever n8n writes is
 * dropped, `onSettled` learns the outcome from n8n's status code, and the sender gets
 * `{status:"accepted"}` (2xx) or WORKFLOW_FAILED (500). Every way n8n answers (json, send, a piped
 * stream) ends in `res.end`, which is where this settles, exactly once.
 */
export function answerWhenWorkflowEnds(res: Response, onSettled: (succeeded: boolean) => void): void {
	const write = res.write;
	const end = res.end;
	let settled = false;
	res.write = ((...args: unknown[]) => {
		const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
		callback?.();
		return true;
	}) as Response['write'];
	res.end = (() => {
		if (settled) return res;
		settled = true;
		res.write = write;
		res.end = end;
		const succeeded = res.statusCode >= 200 && res.statusCode < 300;
		onSettled(succeeded);
		if (res.headersSent) return res.end(); // cannot happen while writes are held; never hang the sender
		// n8n's own body (the last node's items, or its error) set these for itself.
		for (const header of ['Content-Length', 'ETag', 'Content-Type']) res.removeHeader(header);
		if (succeeded) res.status(200).json({ status: 'accepted' });
		else res.status(500).json(WORKFLOW_FAILED);
		return res;
	}) as Response['end'];
}
