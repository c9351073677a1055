// One set of helpers for e2e files that post webhook deliveries to Voice Agent Trigger workflows
// (made by triggerOnly) and check the executions they start: n8n for the file, posting, reading
// the trigger's items, and proving how many executions there are. Each takes the running n8n.
import { nodeOutputJson, printLogOnFailure, startN8n, type ExecutionDetail, type N8n } from './harness';
import { secretCredential, triggerPath } from './workflows';
import { postJson, type PostAnswer } from '../support/post';
import type { Headers } from '../support/sign';

/** A delivery posted to the production URL of the trigger made by triggerNode(name). */
export function deliver(n8n: N8n, name: string, body: string | Uint8Array, headers: Headers = {}): Promise<PostAnswer> {
	return postJson(n8n.webhookUrl(triggerPath(name)), body, headers);
}

/** The trigger's output item of one execution, and the execution as n8n stored it. */
export interface DeliveredItem {
	item: ReturnType<typeof nodeOutputJson>[number];
	detail: ExecutionDetail;
}

/**
 * The trigger items of the workflow's executions once it has exactly `count`, newest first; each
 * execution succeeded and its trigger output one item.
 */
export async function executionItems(n8n: N8n, workflowId: string, count: number): Promise<DeliveredItem[]> {
	const executions = await n8n.waitForExecutions(workflowId, count);
	expect(executions).toHaveLength(count);
	const found: DeliveredItem[] = [];
	for (const execution of executions) {
		expect(execution.status).toBe('success');
		const detail = await n8n.executionData(execution.id);
		const items = nodeOutputJson(detail, 'Voice Agent Trigger');
		expect(items).toHaveLength(1);
		found.push({ item: items[0], detail });
	}
	return found;
}

/** The trigger item of the only execution the workflow must have. */
export async function onlyExecutionItem(n8n: N8n, workflowId: string): Promise<DeliveredItem> {
	const [only] = await executionItems(n8n, workflowId, 1);
	return only;
}

/**
 * Proves the workflow has exactly `count` executions without sleeping and hoping: `genuine` posts
 * a delivery that must start one; n8n answers in order, so once that one has its execution, any
 * earlier delivery that was going to start one has too. Returns the genuine delivery's item.
 */
export async function expectExecutions(
	n8n: N8n,
	workflowId: string,
	count: number,
	genuine: () => Promise<PostAnswer>,
): Promise<DeliveredItem> {
	expect(await genuine()).toMatchObject({ status: 200, json: { status: 'accepted' } });
	const [newest] = await executionItems(n8n, workflowId, count + 1);
	return newest;
}

/**
 * The lifecycle of a test file: starts n8n with these trigger workflows and the Webhook Secret
 * credential before its tests (handing it to `use`: the tests are declared before it exists) and
 * stops it after them. Returns `guarded`: `test` whose failure prints n8n's log.
 */
export function n8nWithTriggers(workflows: object[], webhookSecret: string, use: (n8n: N8n) => void) {
	let n8n: N8n | undefined;
	beforeAll(async () => {
		n8n = await startN8n({ workflows, credentials: [secretCredential(webhookSecret)] });
		use(n8n);
	}, 600_000);
	afterAll(async () => {
		await n8n?.stop();
	});
	return (name: string, body: () => Promise<void>, timeout = 120_000) => test(name, () => printLogOnFailure(n8n, body), timeout);
}
