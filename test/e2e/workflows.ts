// Workflow and credential JSON for the end-to-end tests, built the way n8n's editor saves them.
import { targetN8nMajor } from './harness';

export const TRIGGER_TYPE = 'n8n-nodes-voice-agent.voiceAgentTrigger';
export const VOICE_AGENT_TYPE = 'n8n-nodes-voice-agent.voiceAgent';
export const API_KEY_CREDENTIAL_ID = 'vaApiKeyCred01';
export const SECRET_CREDENTIAL_ID = 'vaSecretCred01';

export interface NodeJson {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: string;
}

/** The signing secret every test trigger reads (Voice Agent Webhook Secret API). */
export function secretCredential(webhookSecret: string) {
	return { id: SECRET_CREDENTIAL_ID, name: 'Voice Agent test secret', type: 'voiceAgentWebhookSecretApi', data: { webhookSecret } };
}

/** The platform API key (Voice Agent node's Session resource, the trigger's Include Full Transcript). */
export function apiKeyCredential(extra: Record<string, unknown> = {}) {
	return {
		id: API_KEY_CREDENTIAL_ID,
		name: 'Voice Agent test key',
		type: 'voiceAgentApiKeyApi',
		data: { baseUrl: 'http://127.0.0.1:9', apiKey: 'pk_test', keyPlacement: 'header', headerName: 'x-api-key', ...extra },
	};
}

/** The production URL path of a trigger made by triggerNode(name): n8n puts its webhookId first. */
export const triggerPath = (name: string) => `wh-${name}/webhook`;

/** The version the editor gives a new trigger on the n8n under test (DEFAULT_TRIGGER_VERSION): 1.1 on 2.x, 1 on 1.x. */
export const TRIGGER_VERSION = targetN8nMajor() >= 2 ? 1.1 : 1;

export function triggerNode(name: string, parameters: Record<string, unknown>, typeVersion = TRIGGER_VERSION): NodeJson {
	return {
		id: `trigger-${name}`,
		name: 'Voice Agent Trigger',
		type: TRIGGER_TYPE,
		typeVersion,
		position: [0, 0],
		parameters,
		webhookId: `wh-${name}`,
		credentials: { voiceAgentWebhookSecretApi: { id: SECRET_CREDENTIAL_ID, name: 'Voice Agent test secret' } },
	};
}

export function node(name: string, type: string, parameters: Record<string, unknown> = {}, typeVersion = 1): NodeJson {
	return { id: `node-${name.replace(/\W+/g, '-')}`, name, type, typeVersion, position: [0, 0], parameters };
}

/** A workflow whose nodes run one after the other, in the order given. */
export function chain(id: string, nodes: NodeJson[]) {
	nodes.forEach((n, index) => (n.position = [index * 220, 0]));
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name: id, nodes, connections, active: false, settings: { executionOrder: 'v1' }, pinData: {} };
}

/** Trigger → No Operation: the execution's data is the trigger's output item. */
export function triggerOnly(id: string, name: string, parameters: Record<string, unknown>, typeVersion = TRIGGER_VERSION) {
	return chain(id, [triggerNode(name, parameters, typeVersion), node('Done', 'n8n-nodes-base.noOp')]);
}
