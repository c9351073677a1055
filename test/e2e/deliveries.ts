// One set of helpers for e2e tests that post webhook deliveries to a Voice Agent Trigger workflow
// (made by triggerOnly) and check the executions they start. Each takes the running n8n.
import { nodeOutputJson, printLogOnFailure, type ExecutionDetail, type N8n } from './harness';
import { triggerPath } from './workflows';
import { postJson, type PostAnswer } from '../support/post';
import type { Headers } from '../support/sign';

/** A delivery posted to the production URL of the trigger made by triggerNode(name). */
export function deliver(n8n: N8n, name: string, body: string, headers: Headers = {}): Promise<PostAnswer> {
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
 * `test` whose failure prints n8n's log. Takes a getter: the file's n8n is started in beforeAll,
 * after the tests are declared.
 */
export function guardedTest(n8n: () => N8n | undefined) {
	return (name: string, body: () => Promise<void>, timeout = 120_000) => test(name, () => printLogOnFailure(n8n(), body), timeout);
}
