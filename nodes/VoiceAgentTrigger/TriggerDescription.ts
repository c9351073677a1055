import type { INodeProperties } from 'n8n-workflow';

import { PLATFORMS } from '../shared/platforms';
import type { Platform } from '../shared/platforms/Platform';
import {
	DEFAULT_TOLERANCE_SECONDS,
	isTimed,
	type SchemeParameter,
	type VerificationScheme,
} from '../shared/verification/schemes';

const forPlatform = (...platform: string[]) => ({ show: { platform } });
const forMethod = (...verification: string[]) => ({ show: { verification } });
const ids = (platforms: readonly Platform[]) => platforms.map((platform) => platform.id);

/** Every scheme any platform offers, once per Verification value. */
const SCHEMES = [...new Map(PLATFORMS.flatMap((p) => p.verification).map((scheme) => [scheme.value, scheme])).values()];
const schemeValues = (keep: (scheme: VerificationScheme) => boolean) => SCHEMES.filter(keep).map((scheme) => scheme.value);
const usingParameter = (name: SchemeParameter) => forMethod(...schemeValues((scheme) => scheme.parameters?.includes(name) ?? false));

const toleranceDefault = (scheme: VerificationScheme) => scheme.defaultToleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
const TOLERANCE_DEFAULTS = [...new Set(SCHEMES.filter(isTimed).map(toleranceDefault))];

// A name, not PLATFORMS[0].id: n8n's lint (and scanner) reads a parameter's default only when it is a literal or a name.
const FIRST_PLATFORM = PLATFORMS[0].id;

/** The platforms whose turns stream (their deliveries are answered by the trigger itself). */
export const STREAMING_PLATFORMS = ids(PLATFORMS.filter((platform) => platform.streamsTurns));
const LIFECYCLE_PLATFORMS = ids(PLATFORMS.filter((platform) => !platform.streamsTurns));
/** The platforms whose Include Full Transcript reads their session API. */
export const TRANSCRIPT_PLATFORMS = ids(PLATFORMS.filter((platform) => platform.transcriptOnEvent && platform.api));

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
		// Version 1 only: n8n does not parse the body of a version-1 webhook node whose
		// options.binaryData is set (webhook-helpers parseRequestBody). From 1.1 n8n parses a JSON
		// body first; in both the trigger verifies and parses the raw bytes itself.
		name: 'options',
		type: 'hidden',
		default: { binaryData: true },
	},
	// Where the URL goes, per platform: n8n shows the node's URLs but not where they belong.
	...PLATFORMS.map((platform) => productionUrlNotice(platform.id, platform.urlGoesTo)),
	{
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		noDataExpression: true,
		options: PLATFORMS.map((platform) => ({ name: platform.displayName, value: platform.id, description: platform.description })),
		default: FIRST_PLATFORM,
	},
	...PLATFORMS.map(
		({ id, verification, defaultVerification }): INodeProperties => ({
			displayName: 'Verification',
			name: 'verification',
			type: 'options',
			noDataExpression: true,
			displayOptions: forPlatform(id),
			options: verification.map((scheme) => ({
				name: scheme.name,
				value: scheme.value,
				...(scheme.description ? { description: scheme.description } : {}),
			})),
			default: defaultVerification,
		}),
	),
	{
		displayName:
			'Verification is off: anyone who knows this URL can start the workflow with made-up calls. Use it only for a first test.',
		name: 'unsafeNotice',
		type: 'notice',
		default: '',
		displayOptions: forMethod(...schemeValues((scheme) => scheme.key === 'none')),
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
		displayOptions: usingParameter('signatureHeader'),
	},
	{
		displayName: 'Signature Key',
		name: 'signatureKey',
		type: 'string',
		default: 'v1',
		description: 'The key holding the signature in the header: v1 (Stripe), v0 (ElevenLabs)',
		displayOptions: usingParameter('signatureKey'),
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
		displayOptions: usingParameter('signatureAlgorithm'),
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
		displayOptions: usingParameter('signatureEncoding'),
	},
	{
		displayName: 'Signature Prefix',
		name: 'signaturePrefix',
		type: 'string',
		default: '',
		placeholder: 'sha256=',
		description: 'Text the header puts before the signature, if any',
		displayOptions: usingParameter('signaturePrefix'),
	},
	// One per default window (ElevenLabs' is 30 minutes): a saved value keeps its meaning, since
	// n8n stores only values that differ from the default shown with the chosen scheme.
	...TOLERANCE_DEFAULTS.map(
		(seconds): INodeProperties => ({
			displayName: 'Timestamp Tolerance (Seconds)',
			name: 'toleranceSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: seconds,
			description: 'Deliveries signed longer ago (or further in the future) than this are refused as replays',
			displayOptions: forMethod(...schemeValues((scheme) => isTimed(scheme) && toleranceDefault(scheme) === seconds)),
		}),
	),
	// Parameters only one platform has (Other: Event Field).
	...PLATFORMS.flatMap((platform) =>
		(platform.properties ?? []).map((property) => ({ ...property, displayOptions: forPlatform(platform.id) })),
	),
	// The events each platform sends; deliveries of the others are answered 200 and start nothing.
	...PLATFORMS.map(
		({ id, events, defaultEvents = ['*'] }): INodeProperties => ({
			displayName: 'Events',
			name: 'events',
			type: 'multiOptions',
			displayOptions: forPlatform(id),
			options: [
				{ name: 'All Events', value: '*' },
				...[...events].sort((a, b) => a.name.localeCompare(b.name)),
				{ name: 'Other Events', value: 'other', description: 'Events this node does not know yet, as the platform names them' },
			],
			default: [...defaultEvents],
			description: 'Deliveries of other events are answered 200 and start no execution',
		}),
	),
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
				// Live turns are answered while they run, and their senders do not retry.
				displayOptions: { show: { '/platform': LIFECYCLE_PLATFORMS } },
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
							'Answer once the workflow has finished: 2xx if it succeeded, 500 if it failed, so the sender retries the delivery and the workflow runs again. The sender waits meanwhile: keep the workflow shorter than its deadline (Agntix: 15 s, Retell: 10 s).',
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
					'Whether to start no execution for a delivery whose ID (svix-ID / webhook-ID, or the platform’s own) was seen in the last 24 hours. Retries of at-least-once senders then run once.',
			},
			{
				displayName: 'Error Apology',
				name: 'errorApology',
				type: 'string',
				default: '',
				placeholder: 'Sorry, something went wrong on my side.',
				displayOptions: { show: { '/platform': STREAMING_PLATFORMS } },
				description:
					'Live turns: what the agent says when a node of the workflow fails, before the turn ends with response.error. Empty: only response.error is sent.',
			},
			{
				displayName: 'Include Full Transcript',
				name: 'includeTranscript',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/platform': TRANSCRIPT_PLATFORMS } },
				description:
					'Whether to fetch the whole transcript from the platform’s API (with the key in the Voice Agent API Key API credential) when the session ends, before the workflow starts. If the fetch fails the item is still delivered, with the reason in warnings.',
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
				displayOptions: { show: { '/platform': STREAMING_PLATFORMS } },
				description:
					'Layercode session.start: answer with this greeting at once and start no execution. Empty: the workflow answers the welcome turn.',
			},
		],
	},
];

/** Verification values whose key is in the Webhook Secret credential, and those that use the JWT credential. */
export const SECRET_METHODS = schemeValues((scheme) => scheme.key === 'textSecret' || scheme.key === 'standardWebhooksSecret');
export const JWT_METHODS = schemeValues((scheme) => scheme.key === 'jwt');

/**
 * The values the editor offers for an options parameter (Algorithm, Encoding). A saved value
 * outside them came from elsewhere (a later version, an import, a generated workflow): the trigger
 * refuses it rather than guess. Platform and Verification are checked against the registry.
 */
export function offeredValues(name: string): string[] {
	return triggerProperties.flatMap((property) => {
		if (property.name !== name || property.type !== 'options') return [];
		return (property.options ?? []).flatMap((option) =>
			'value' in option && typeof option.value === 'string' ? [option.value] : [],
		);
	});
}

/**
 * The node's subtitle on the canvas: the chosen platform's display name (`agntix` → `Agntix`), as
 * a lookup in a literal built from the registry, as the Platform options are. Only the editor
 * evaluates subtitles; n8n's backend never reads them.
 */
export function platformSubtitle(): string {
	const names = Object.fromEntries(PLATFORMS.map((platform) => [platform.id, platform.displayName]));
	return `={{ ${JSON.stringify(names)}[$parameter["platform"]] }}`;
}
