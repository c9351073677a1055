import type { INodeProperties } from 'n8n-workflow';

const forSession = { show: { resource: ['session'] } };

/** Parameters of the Session resource: read a session or its full transcript from the platform API. */
export const sessionProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: forSession,
		options: [
			{ name: 'Get', value: 'get', action: 'Get a session', description: 'Fetch a session from the platform' },
			{
				name: 'Get Transcript',
				value: 'getTranscript',
				action: 'Get a session transcript',
				description: 'Fetch every message of a session as [{role, text, at}]',
			},
		],
		default: 'get',
	},
	{
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		noDataExpression: true,
		displayOptions: forSession,
		options: [
			{ name: 'Agntix', value: 'agntix' },
			{ name: 'Layercode', value: 'layercode' },
		],
		default: 'agntix',
	},
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		required: true,
		default: '={{ $json.sessionId }}',
		description: 'The session to fetch; the Voice Agent Trigger’s output carries it as sessionId',
		displayOptions: forSession,
	},
	{
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		required: true,
		default: '={{ $json.agentId }}',
		description: 'Layercode addresses sessions through their agent',
		displayOptions: { show: { resource: ['session'], platform: ['layercode'] } },
	},
];
