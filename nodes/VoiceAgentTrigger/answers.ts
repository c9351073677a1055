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
