import { FakeResponse } from './fakeResponse';

import get from 'lodash/get';
import { NodeHelpers, type IDataObject, type INode, type INodeParameters, type IWebhookFunctions } from 'n8n-workflow';

import { VoiceAgentTrigger } from '../../../nodes/VoiceAgentTrigger/VoiceAgentTrigger.node';
import { triggerNodeWith } from './triggerNode';

const trigger = new VoiceAgentTrigger();
// A workflow id per delivery: the trigger caches credentials per workflow (credentialCache.ts).
let deliveries = 0;

/**
 * What n8n does with the saved parameters when it loads the workflow (Workflow's constructor,
 * NodeHelpers.getNodeParameters): defaults filled in, parameters the display rules hide dropped.
 * Then getNodeParameter reads them as n8n-core does: the fallback only where nothing is set, and
 * "Could not get parameter" where there is neither.
 */
export function parameterReader(node: INode) {
	const resolved = NodeHelpers.getNodeParameters(trigger.description.properties, node.parameters, true, false, node, trigger.description) ?? {};
	return (name: string, fallback?: unknown) => {
		const value = get(resolved, name, fallback) as unknown;
		if (value === undefined) throw new Error(`Could not get parameter "${name}"`);
		return value;
	};
}


export interface TriggerDelivery {
	/** The trigger's saved parameters (only those differing from the defaults). */
	parameters: INodeParameters;
	/** The Voice Agent Webhook Secret API credential's data, e.g. `{ webhookSecret }`. */
	credential?: IDataObject;
	body: string;
	headers?: Record<string, string>;
}

/**
 * One delivery through the trigger's webhook(), as n8n's WebhookContext hands it over, in a
 * workflow with no other nodes. Returns the item the workflow would start with, or undefined
 * when the trigger answered without starting one (then `status` and `answer` say why).
 */
export async function deliverToTrigger({ parameters, credential, body, headers = {} }: TriggerDelivery) {
	const node = triggerNodeWith(parameters, credential ? { voiceAgentWebhookSecretApi: { id: 'cred-1', name: 'Secret' } } : undefined);
	const res = new FakeResponse();
	const workflow = { id: `wf-delivery-${++deliveries}` };
	const context = {
		getNode: () => node,
		getNodeParameter: parameterReader(node),
		getCredentials: async (type: string) => {
			if (type !== 'voiceAgentWebhookSecretApi' || !credential) throw new Error(`Node does not have credentials of type ${type}`);
			return credential;
		},
		getWorkflow: () => workflow,
		getWorkflowStaticData: () => ({}),
		getChildNodes: () => [],
		getParentNodes: () => [],
		getRequestObject: () => ({ rawBody: Buffer.from(body), readRawBody: async () => undefined }),
		getResponseObject: () => res,
		getHeaderData: () => headers,
		logger: { error() {}, warn() {}, info() {}, debug() {} },
		helpers: {},
	} as unknown as IWebhookFunctions;
	const result = await trigger.webhook.call(context);
	return { item: result.workflowData?.[0]?.[0]?.json, status: res.statusCode, answer: res.body as IDataObject | undefined };
}
