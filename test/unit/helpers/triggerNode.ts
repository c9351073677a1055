import type { INode, INodeParameters } from 'n8n-workflow';

/** The Voice Agent Trigger as n8n's editor saves it: only the parameters that differ from the defaults. */
export function triggerNodeWith(parameters: INodeParameters, credentials?: INode['credentials']): INode {
	return {
		id: 'trigger-1',
		name: 'Voice Agent Trigger',
		type: 'n8n-nodes-voice-agent.voiceAgentTrigger',
		typeVersion: 1.1,
		position: [0, 0],
		parameters,
		...(credentials ? { credentials } : {}),
	};
}
