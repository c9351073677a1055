import type { INodeProperties } from 'n8n-workflow';

import { PLATFORMS } from '../shared/platforms';

const forSession = { show: { resource: ['session'] } };
/** The platforms with a session API this node reads. */
const withApi = PLATFORMS.filter((platform) => platform.api);
// A name, not withApi[0].id: n8n's lint (and scanner) reads a parameter's default only when it is a literal or a name.
const firstWithApi = withApi[0].id;

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
		options: withApi.map((platform) => ({ name: platform.displayName, value: platform.id })),
		default: firstWithApi,
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
		description: 'The platform addresses sessions through their agent',
		displayOptions: {
			show: { resource: ['session'], platform: withApi.filter((platform) => platform.api?.needsAgentId).map((platform) => platform.id) },
		},
	},
];
