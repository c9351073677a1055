import type { INodeProperties } from 'n8n-workflow';

const forPlatform = (...platform: string[]) => ({ show: { platform } });
const forMethod = (...verification: string[]) => ({ show: { verification } });

/** The trigger's output per platform, ready for n8n's "set mock data" (docs/samples/README.md). */
export const SAMPLES_URL = 'https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent/tree/main/docs/samples';

/**
 * A notice at the top of the panel for one platform: publish, then paste the Production URL where
 * that platform takes it. The Test URL only answers while the editor listens.
 */
function productionUrlNotice(platform: string, where: string): INodeProperties {
	return {
		displayName: `Publish the workflow (n8n 1.x: activate it), then paste this node’s Production URL (under Webhook URLs) ${where}. The Test URL only answers while the editor is listening. To map fields before any call, paste a <a href="${SAMPLES_URL}" target="_blank">sample item</a> as mock data.`,
		name: 'productionUrlNotice',
		type: 'notice',
		default: '',
		displayOptions: forPlatform(platform),
	};
}

/** The trigger's parameters, in the order the editor shows them. */
export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Raw Body',
		// n8n does not parse the body of a version-1 webhook node whose options.binaryData is set
		// (webhook-helpers parseRequestBody). The trigger verifies and parses the raw bytes itself,
		// so a body that is not JSON gets this node's own 400, and no other parser touches it first.
		name: 'options',
		type: 'hidden',
		default: { binaryData: true },
	},
	// Where the URL goes, per platform: n8n shows the node's URLs but not where they belong.
	productionUrlNotice(
		'agntix',
		'into Agntix as the URL of a webhook endpoint, subscribed to session.ended (and session.created)',
	),
	productionUrlNotice(
		'layercode',
		'into Layercode as your agent’s webhook URL, with the events you use enabled (message, session.start…)',
	),
	productionUrlNotice('speaknode', 'into SpeakNode as the URL of your webhook subscription'),
	productionUrlNotice('other', 'into your platform’s webhook settings'),
	{
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Agntix', value: 'agntix', description: 'Session lifecycle with post-call analysis, signed by Svix' },
			{ name: 'Layercode', value: 'layercode', description: 'Live turns answered as SSE, plus session events' },
			{
				name: 'Other (Generic)',
				value: 'other',
				description: 'Any platform signing the Standard Webhooks, Stripe-style or plain HMAC way',
			},
			{ name: 'SpeakNode', value: 'speaknode', description: 'Session lifecycle webhooks' },
		],
		default: 'agntix',
	},
	{
		displayName: 'Verification',
		name: 'verification',
		type: 'options',
		noDataExpression: true,
		displayOptions: forPlatform('agntix'),
		options: [
			{ name: 'Svix Signature', value: 'standardWebhooks' },
			{ name: 'None (Unsafe)', value: 'none' },
		],
		default: 'standardWebhooks',
	},
	{
		displayName: 'Verification',
		name: 'verification',
		type: 'options',
		noDataExpression: true,
		displayOptions: forPlatform('layercode'),
		options: [
			{ name: 'Layercode Signature', value: 'layercodeSignature' },
			{ name: 'None (Unsafe)', value: 'none' },
		],
		default: 'layercodeSignature',
	},
	{
		displayName: 'Verification',
		name: 'verification',
		type: 'options',
		noDataExpression: true,
		displayOptions: forPlatform('speaknode'),
		options: [
			{ name: 'Bearer JWT', value: 'jwt' },
			{ name: 'HMAC of the Body', value: 'bodyHmac' },
			{ name: 'None (Unsafe)', value: 'none' },
		],
		default: 'bodyHmac',
	},
	{
		displayName: 'Verification',
		name: 'verification',
		type: 'options',
		noDataExpression: true,
		displayOptions: forPlatform('other'),
		options: [
			{ name: 'Bearer JWT', value: 'jwt' },
			{ name: 'HMAC of the Body', value: 'bodyHmac' },
			{ name: 'None (Unsafe)', value: 'none' },
			{ name: 'Shared Secret Header', value: 'sharedSecret' },
			{ name: 'Standard Webhooks (Svix)', value: 'standardWebhooks' },
			{
				name: 'Stripe-Style Signature',
				value: 'stripeStyle',
				description: 'A t=…,v1=… header, as Stripe, Layercode and ElevenLabs (v0) sign',
			},
		],
		default: 'standardWebhooks',
	},
	{
		displayName:
			'Verification is off: anyone who knows this URL can start the workflow with made-up calls. Use it only for a first test.',
		name: 'unsafeNotice',
		type: 'notice',
		default: '',
		displayOptions: forMethod('none'),
	},
	{
		displayName: 'Signature Header',
		name: 'signatureHeader',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'x-signature',
		description:
			'Name of the header carrying the signature. SpeakNode does not document it: copy it from a delivery in its dashboard.',
		displayOptions: forMethod('bodyHmac', 'stripeStyle', 'sharedSecret'),
	},
	{
		displayName: 'Signature Key',
		name: 'signatureKey',
		type: 'string',
		default: 'v1',
		description: 'The key holding the signature in the header: v1 (Stripe), v0 (ElevenLabs)',
		displayOptions: forMethod('stripeStyle'),
	},
	{
		displayName: 'Algorithm',
		name: 'signatureAlgorithm',
		type: 'options',
		options: [
			{ name: 'SHA-256', value: 'sha256' },
			{ name: 'SHA-512', value: 'sha512' },
		],
		default: 'sha256',
		displayOptions: forMethod('bodyHmac', 'stripeStyle'),
	},
	{
		displayName: 'Encoding',
		name: 'signatureEncoding',
		type: 'options',
		options: [
			{ name: 'Base64', value: 'base64' },
			{ name: 'Hex', value: 'hex' },
		],
		default: 'hex',
		displayOptions: forMethod('bodyHmac'),
	},
	{
		displayName: 'Signature Prefix',
		name: 'signaturePrefix',
		type: 'string',
		default: '',
		placeholder: 'sha256=',
		description: 'Text the header puts before the signature, if any',
		displayOptions: forMethod('bodyHmac'),
	},
	{
		displayName: 'Timestamp Tolerance (Seconds)',
		name: 'toleranceSeconds',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 300,
		description: 'Deliveries signed longer ago (or further in the future) than this are refused as replays',
		displayOptions: forMethod('standardWebhooks', 'layercodeSignature', 'stripeStyle'),
	},
	{
		displayName: 'Event Field',
		name: 'eventField',
		type: 'string',
		default: 'type',
		description: 'Path of the field holding the event name in the body, e.g. type, event or data.event',
		displayOptions: forPlatform('other'),
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			{ name: 'All Events', value: '*' },
			{ name: 'Client Data', value: 'client.data', description: 'Layercode data sent by the browser client' },
			{ name: 'Other Events', value: 'other', description: 'Events this node does not know yet, as the platform names them' },
			{ name: 'Session Ended', value: 'session.ended', description: 'With the post-call analysis and transcript where the platform sends them' },
			{ name: 'Session Started', value: 'session.started' },
			{ name: 'Session Updated', value: 'session.updated' },
			{ name: 'Turn: Message', value: 'turn.message', description: 'Layercode: the caller said something; answer with the Voice Agent node' },
			{ name: 'Turn: Welcome', value: 'turn.welcome', description: 'Layercode session.start: the agent speaks first' },
		],
		default: ['*'],
		description: 'Deliveries of other events are answered 200 and start no execution',
	},
	{
		displayName: 'Options',
		name: 'triggerOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Acknowledge',
				name: 'acknowledge',
				type: 'options',
				// Layercode's turns are answered while they run, and Layercode does not retry.
				displayOptions: { hide: { '/platform': ['layercode'] } },
				options: [
					{
						name: 'When the Execution Starts',
						value: 'executionStarts',
						description: 'Answer 2xx as soon as n8n has created the execution. A workflow that then fails is not retried by the sender.',
					},
					{
						name: 'When the Workflow Succeeds',
						value: 'workflowSucceeds',
						description:
							'Answer once the workflow has finished: 2xx if it succeeded, 500 if it failed, so the sender retries the delivery and the workflow runs again. The sender waits meanwhile: keep the workflow shorter than its deadline (Agntix: 15 s).',
					},
				],
				default: 'executionStarts',
				description: 'When the sender is told the delivery was accepted',
			},
			{
				displayName: 'De-Duplicate Deliveries',
				name: 'deduplicate',
				type: 'boolean',
				default: true,
				description:
					'Whether to start no execution for a delivery whose ID (svix-ID / webhook-ID) was seen in the last 24 hours. Retries of at-least-once senders then run once.',
			},
			{
				displayName: 'Error Apology',
				name: 'errorApology',
				type: 'string',
				default: '',
				placeholder: 'Sorry, something went wrong on my side.',
				description:
					'Layercode turns: what the agent says when a node of the workflow fails, before the turn ends with response.error. Empty: only response.error is sent.',
			},
			{
				displayName: 'Include Full Transcript',
				name: 'includeTranscript',
				type: 'boolean',
				default: false,
				description:
					'Whether to fetch the whole transcript from the Agntix API (with the key in the Voice Agent API Key API credential) for session.ended before the workflow starts. If the fetch fails the item is still delivered, with the reason in warnings.',
			},
			{
				displayName: 'Reject Unexpected Payloads',
				name: 'strictSchema',
				type: 'boolean',
				default: false,
				description:
					'Whether to answer 422 and start no execution when a signed payload does not match the platform’s documented schema. Off: it is delivered with the problems listed in warnings.',
			},
			{
				displayName: 'Welcome Message',
				name: 'welcomeMessage',
				type: 'string',
				default: '',
				placeholder: 'Hi, thanks for calling. How can I help?',
				description:
					'Layercode session.start: answer with this greeting at once and start no execution. Empty: the workflow answers the welcome turn.',
			},
		],
	},
];

/**
 * The values the editor offers for an options parameter; for one shown per platform
 * (Verification), those of `platform`. A saved value outside them came from elsewhere (a later
 * version, an import, a generated workflow): the trigger refuses it rather than guess.
 */
export function offeredValues(name: string, platform?: string): string[] {
	return triggerProperties.flatMap((property) => {
		if (property.name !== name || property.type !== 'options') return [];
		const shownFor = property.displayOptions?.show?.platform;
		if (shownFor && (platform === undefined || !shownFor.includes(platform))) return [];
		return (property.options ?? []).flatMap((option) =>
			'value' in option && typeof option.value === 'string' ? [option.value] : [],
		);
	});
}

/**
 * The node's subtitle on the canvas: the chosen platform's display name (`agntix` → `Agntix`), as
 * a lookup in a literal built from the Platform options, so the two cannot drift apart. Only the
 * editor evaluates subtitles; n8n's backend never reads them.
 */
export function platformSubtitle(): string {
	const names = Object.fromEntries(
		triggerProperties
			.filter((property) => property.name === 'platform')
			.flatMap((property) => property.options ?? [])
			.flatMap((option) => ('value' in option && typeof option.value === 'string' ? [[option.value, option.name]] : [])),
	);
	return `={{ ${JSON.stringify(names)}[$parameter["platform"]] }}`;
}
