import type { INodeProperties } from 'n8n-workflow';

const forOperation = (...operation: string[]) => ({ show: { resource: ['turn'], operation } });

/** Parameters of the Turn resource: what the agent says and sends during a live turn. */
export const turnProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['turn'] } },
		options: [
			{
				name: 'End Turn',
				value: 'endTurn',
				action: 'End the turn',
				description: 'Send response.end: the agent stops talking and listens',
			},
			{
				name: 'Send Data',
				value: 'sendData',
				action: 'Send data to the client',
				description: 'Send JSON to the caller’s client app (response.data)',
			},
			{
				name: 'Speak',
				value: 'speak',
				action: 'Speak text',
				description: 'Say a text to the caller (response.tts), right away',
			},
		],
		default: 'speak',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		required: true,
		placeholder: 'One moment, let me look that up.',
		description: 'What the agent says. The platform splits it into sentences for speech.',
		displayOptions: forOperation('speak'),
	},
	{
		displayName: 'Data (JSON)',
		name: 'data',
		type: 'json',
		default: '{}',
		description: 'Any JSON; the platform forwards it to the client',
		displayOptions: forOperation('sendData'),
	},
];
