import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import type { ApiCredentialType } from '../shared/platformApi';
import { testJwtCredential } from '../shared/verification/inboundJwt';
import { executeSession } from './session';
import { sessionProperties } from './SessionDescription';
import { executeTurn } from './turn';
import { turnProperties } from './TurnDescription';

export class VoiceAgent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Voice Agent',
		name: 'voiceAgent',
		icon: { light: 'file:voiceAgent.svg', dark: 'file:voiceAgent.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Answer a live voice-agent turn (speak, send data, end the turn) while the workflow runs, and fetch sessions and transcripts',
		defaults: { name: 'Voice Agent' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'voiceAgentApiKeyApi',
				required: true,
				displayOptions: { show: { resource: ['session'], authentication: ['apiKey'] } },
			},
			{
				name: 'voiceAgentJwtApi',
				required: true,
				testedBy: 'voiceAgentJwtApiTest',
				displayOptions: { show: { resource: ['session'], authentication: ['jwt'] } },
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Session', value: 'session', description: 'A session (call) on the platform, read through its API' },
					{ name: 'Turn', value: 'turn', description: 'The live conversation turn being answered' },
				],
				default: 'turn',
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'API Key', value: 'apiKey' },
					{ name: 'JWT (Bearer Token)', value: 'jwt' },
				],
				default: 'apiKey',
				displayOptions: { show: { resource: ['session'] } },
			},
			...turnProperties,
			...sessionProperties,
		],
	};

	methods = {
		credentialTest: { voiceAgentJwtApiTest: testJwtCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		if (resource === 'session') {
			const authentication = this.getNodeParameter('authentication', 0) as string;
			const credentialType: ApiCredentialType = authentication === 'jwt' ? 'voiceAgentJwtApi' : 'voiceAgentApiKeyApi';
			return [await executeSession(this, operation, credentialType)];
		}
		return [await executeTurn(this, operation)];
	}
}
