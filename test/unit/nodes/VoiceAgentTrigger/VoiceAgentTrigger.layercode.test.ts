// webhook() for Layercode deliveries: which answer each event gets (SSE stream, the workflow's
// JSON reply, or an immediate 2xx), with a mocked IWebhookFunctions as n8n hands it over.
import { FakeResponse } from '../../helpers/fakeResponse';
import get from 'lodash/get';
import { NodeHelpers, type IDataObject, type INode, type IWebhookFunctions } from 'n8n-workflow';

import { fixture } from '../../helpers/fixtures';
import { triggerNodeWith } from '../../helpers/triggerNode';
import { VoiceAgentTrigger } from '../../../../nodes/VoiceAgentTrigger/VoiceAgentTrigger.node';

const trigger = new VoiceAgentTrigger();
const VOICE_AGENT: INode = {
	id: 'va-1',
	name: 'Send Data',
	type: 'n8n-nodes-voice-agent.voiceAgent',
	typeVersion: 1,
	position: [200, 0],
	parameters: {},
};


async function deliver(payload: IDataObject) {
	const node = triggerNodeWith({ platform: 'layercode', verification: 'none' });
	const resolved = NodeHelpers.getNodeParameters(trigger.description.properties, node.parameters, true, false, node, trigger.description) ?? {};
	const res = new FakeResponse();
	const context = {
		getNode: () => node,
		getNodeParameter: (name: string, fallback?: unknown) => get(resolved, name, fallback) as unknown,
		getWorkflow: () => ({ id: 'wf-layercode' }),
		getWorkflowStaticData: () => ({}),
		getRequestObject: () => ({ rawBody: Buffer.from(JSON.stringify(payload)), readRawBody: async () => undefined }),
		getResponseObject: () => res,
		getHeaderData: () => ({}),
		getChildNodes: () => [VOICE_AGENT],
		getParentNodes: () => [],
		logger: { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() },
		helpers: {},
	} as unknown as IWebhookFunctions;
	const result = await trigger.webhook.call(context);
	return { res, result, item: result.workflowData?.[0]?.[0]?.json };
}

const n8nLine = (content: IDataObject, nodeName = 'Send Data') =>
	`${JSON.stringify({ type: 'item', content: JSON.stringify(content), metadata: { nodeName } })}\n`;

describe('Layercode data: the workflow’s Send Data is the HTTP answer, as JSON', () => {
	test('the execution starts and nothing is answered before the workflow sends its reply', async () => {
		const { res, result, item } = await deliver(fixture('layercode/data'));
		expect(result.noWebhookResponse).toBe(true);
		expect(item).toMatchObject({ provider: 'layercode', event: 'client.data', turnId: 'turn_01JXK3P4C7E0G3J6L9N2Q5S8U1' });
		// Not our old status object, and no SSE headers.
		expect(res.body).toBeUndefined();
		expect(res.written).toEqual([]);
		expect(res.headers['content-type']).toBeUndefined();

		// n8n streams the Voice Agent node's chunk to this response, then ends it.
		res.write('{"type":"begin","metadata":{"nodeName":"Send Data"}}\n');
		res.write(n8nLine({ type: 'response.data', content: { order: 'ORD-12345', status: 'confirmed' } }));
		res.end();
		expect(res.statusCode).toBe(200);
		expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(res.written.join('')).toBe('{"order":"ORD-12345","status":"confirmed"}');
	});

	test('the reply from a node that is not one of this trigger’s Voice Agent nodes is ignored', async () => {
		const { res } = await deliver(fixture('layercode/data'));
		res.write(n8nLine({ type: 'response.data', content: { forged: true } }, 'Code'));
		res.end();
		expect(res.written.join('')).toBe('{}');
	});
});

describe('Layercode lifecycle events are still answered at once', () => {
	test.each([
		['layercode/session.end', 'session.ended'],
		['layercode/session.update', 'session.updated'],
		['layercode/session-webhook.session.start', 'session.started'],
	])('%s → %s: 200 {"status":"ok"} before the workflow runs, no stream', async (name, event) => {
		const { res, result, item } = await deliver(fixture(name));
		expect(item).toMatchObject({ event });
		expect(result.workflowData).toBeDefined();
		expect(res.statusCode).toBe(200);
		expect(res.body).toEqual({ status: 'ok' });
		expect(res.headers['content-type']).toBeUndefined();
	});

	test('a session.start with its welcome turn still opens the SSE stream', async () => {
		const { res, item } = await deliver(fixture('layercode/session.start'));
		expect(item).toMatchObject({ event: 'turn.welcome' });
		expect(res.headers['content-type']).toBe('text/event-stream');
		expect(res.body).toBeUndefined();
	});

	test('a message carries its interruption into the item', async () => {
		const { item } = await deliver(fixture('layercode/message.interrupted'));
		expect(item).toMatchObject({
			event: 'turn.message',
			interruption: { previousTurnInterrupted: true, wordsHeard: 9, assistantTurnId: 'turn_01JXK3N2B5C8E1G4I7K0M3P6R9' },
		});
	});
});
