import {
	fromFunction,
	NodeConnectionTypes,
	NodeOperationError,
	webhookDescriptionFields,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHookFunctions,
	type INodeParameters,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { fetchTranscript } from '../shared/platformApi';
import { platformById } from '../shared/platforms';
import type { Platform } from '../shared/platforms/Platform';
import { buildEvent } from '../shared/VoiceAgentEvent';
import { acceptWhenExecutionExists, answer, answerBeforeStreaming, answerWhenWorkflowEnds } from './answers';
import { cachedCredentials } from '../shared/credentialCache';
import {
	claimDelivery,
	PENDING_MAX_AGE_MS,
	releaseDelivery,
	rememberDeliveries,
	RUN_CLAIM_MAX_AGE_MS,
} from './deduplication';
import { openDataReply } from './DataReply';
import { openTurnStream, sendWholeTurn, voiceAgentNodeNames } from './TurnStream';
import {
	JWT_METHODS,
	offeredValues,
	platformSubtitle,
	SECRET_METHODS,
	TRANSCRIPT_PLATFORMS,
	triggerProperties,
} from './TriggerDescription';
import { jwtConfigurationProblem, testJwtCredential, verifyInboundJwt } from '../shared/verification/inboundJwt';
import {
	isTimed,
	secretProblem,
	type VerificationScheme,
	type VerificationSettings,
} from '../shared/verification/schemes';
import { testWebhookSecretCredential } from './webhookSecretTest';
import { withoutSecret } from './withoutSecret';

const MISSING_SECRET =
	'Signature verification is on but no Voice Agent Webhook Secret API credential with a Webhook Signing Secret is selected. Add it, or set Verification to None.';
const noApiKeyCredential = (platform: Platform) =>
	`Include Full Transcript needs a Voice Agent API Key API credential (the ${platform.displayName} API key) on the trigger; none is selected`;

/** Bearer JWT reasons that are the credential's fault, answered 500 like a missing secret. */
const JWT_CONFIGURATION_REASONS = new Set(['no verification key configured', 'invalid verification key', 'JWKS URL must use https']);

/** A configured value quoted in a message (parameters only, never a secret). */
const quoted = (value: unknown) =>
	value === null || value === '' ? 'empty' : typeof value === 'string' ? `"${value.slice(0, 40)}"` : String(value).slice(0, 40);

/** Seconds from a number parameter, which an expression may have turned into text. */
function seconds(value: unknown): number {
	if (typeof value === 'number') return value;
	return typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
}

/**
 * The response mode n8n runs a delivery in. Self-contained and plain ES5 inside: n8n inlines its
 * source into an expression that the editor, and n8n 1.x on every request, evaluates.
 */
export const responseModeFor = (parameters: INodeParameters): string => {
	// The platforms whose turns stream (STREAMING_PLATFORMS: a unit test keeps the two equal).
	if (['layercode'].indexOf(String(parameters.platform)) !== -1) return 'streaming';
	const options = (parameters.triggerOptions || {}) as IDataObject;
	return options.acknowledge === 'workflowSucceeds' ? 'lastNode' : 'onReceived';
};

/**
 * n8n 2.41+ resolves a field declared this way natively, without the expression engine (under its
 * default `vm` engine each evaluation borrows a V8 isolate: a live turn's first frame waited for
 * one). n8n 1.x lacks these helpers and evaluates the same function as an expression.
 */
const RESOLVES_NATIVELY = typeof webhookDescriptionFields === 'function' && typeof fromFunction === 'function';
export const responseModeField: { responseMode: string } = RESOLVES_NATIVELY
	? webhookDescriptionFields({ responseMode: fromFunction(responseModeFor) })
	: { responseMode: `={{(${String(responseModeFor)})($parameter)}}` };

/**
 * The version new triggers get. For a start node of version 1, n8n evaluates
 * `$parameter["options"]["binaryData"]` on every request (webhook-helpers parseRequestBody): under
 * n8n 2.x's `vm` engine an isolate per turn and per delivery. From 1.1 n8n instead reads the body
 * itself before the trigger runs, as for its own Webhook node, and answers a body it cannot read
 * (invalid JSON, broken gzip, over its size limit) on its own. n8n 1.x would also write multipart
 * uploads to its temp folder and never delete them (2.41 does), and evaluates that expression
 * without an isolate: it keeps 1. Detected by n8n 2.41's native resolvers.
 */
export const DEFAULT_TRIGGER_VERSION = RESOLVES_NATIVELY ? 1.1 : 1;

type Configured = { platform: Platform; scheme: VerificationScheme; settings: VerificationSettings } | { problem: string };

/**
 * The trigger's platform and verification settings, or why they cannot be used. A parameter n8n
 * dropped (it hides those its display rules do not show, e.g. Verification under a platform this
 * version does not know) reads as empty, never as a default: nothing unknown runs unverified.
 */
function configuredSettings(context: IHookFunctions | IWebhookFunctions): Configured {
	const param = (name: string, fallback: unknown = null) => context.getNodeParameter(name, fallback) as unknown;
	const platform = platformById(param('platform'));
	if (!platform) {
		return {
			problem: `Platform ${quoted(param('platform'))} is not one this version of the Voice Agent Trigger knows, so it cannot verify its deliveries. Choose the Platform again.`,
		};
	}
	const method = param('verification');
	const scheme = platform.verification.find((offered) => offered.value === method);
	if (!scheme) {
		return {
			problem: `Verification ${quoted(method)} is not offered for the ${platform.id} platform, so deliveries cannot be verified. Choose the Verification again.`,
		};
	}
	const toleranceSeconds = seconds(param('toleranceSeconds'));
	// NaN or Infinity would switch the replay check off; 0 or less would refuse every delivery.
	if (isTimed(scheme) && !(Number.isFinite(toleranceSeconds) && toleranceSeconds > 0)) {
		return {
			problem: `Timestamp Tolerance must be a positive number of seconds (it is ${quoted(param('toleranceSeconds'))}), or replayed deliveries would be accepted.`,
		};
	}
	for (const name of ['signatureAlgorithm', 'signatureEncoding'] as const) {
		const value = param(name);
		// null: hidden, because the method does not use it.
		if (value !== null && !offeredValues(name).includes(value as string)) {
			return { problem: `${name === 'signatureAlgorithm' ? 'Algorithm' : 'Encoding'} ${quoted(value)} is not one the node offers. Choose it again.` };
		}
	}
	const text = (name: string, fallback: string) => {
		const value = param(name, fallback);
		return typeof value === 'string' ? value : fallback;
	};
	return {
		platform,
		scheme,
		settings: {
			header: text('signatureHeader', ''),
			algorithm: text('signatureAlgorithm', 'sha256') as VerificationSettings['algorithm'],
			encoding: text('signatureEncoding', 'hex') as VerificationSettings['encoding'],
			prefix: text('signaturePrefix', ''),
			signatureKey: text('signatureKey', 'v1'),
			toleranceSeconds,
		},
	};
}

const secretOf = (credentials: ICredentialDataDecryptedObject | undefined) =>
	typeof credentials?.webhookSecret === 'string' ? credentials.webhookSecret.trim() : '';

/** Read fresh when the workflow is published; per delivery, from the short-lived cache. */
async function signingSecret(context: IHookFunctions | IWebhookFunctions): Promise<string> {
	const credentials =
		'getRequestObject' in context
			? await cachedCredentials(context, 'voiceAgentWebhookSecretApi')
			: await context.getCredentials('voiceAgentWebhookSecretApi').catch(() => undefined);
	return secretOf(credentials);
}

interface TriggerOptions {
	/** `executionStarts` (default) or `workflowSucceeds`; Layercode's turns always stream. */
	acknowledge?: string;
	deduplicate?: boolean;
	strictSchema?: boolean;
	welcomeMessage?: string;
	errorApology?: string;
	includeTranscript?: boolean;
}

/** "Other Events": those outside the platform's own list. */
function isEventWanted(events: string[], event: string, platform: Platform): boolean {
	if (events.includes('*') || events.includes(event)) return true;
	return events.includes('other') && !platform.events.some((known) => known.value === event);
}

export class VoiceAgentTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Voice Agent Trigger',
		name: 'voiceAgentTrigger',
		icon: { light: 'file:voiceAgent.svg', dark: 'file:voiceAgent.dark.svg' },
		group: ['trigger'],
		// 1.1 on n8n 2.41+, 1 before (DEFAULT_TRIGGER_VERSION); saved workflows keep theirs.
		version: [1, 1.1],
		defaultVersion: DEFAULT_TRIGGER_VERSION,
		subtitle: platformSubtitle(),
		description:
			'Starts the workflow on verified, de-duplicated webhooks from voice-agent platforms: calls starting and ending, post-call analysis, live turns',
		defaults: { name: 'Voice Agent Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'voiceAgentWebhookSecretApi',
				required: true,
				testedBy: 'voiceAgentWebhookSecretApiTest',
				displayOptions: { show: { verification: SECRET_METHODS } },
			},
			{
				name: 'voiceAgentJwtApi',
				required: true,
				testedBy: 'voiceAgentJwtApiTest',
				displayOptions: { show: { verification: JWT_METHODS } },
			},
			{
				// Only for Include Full Transcript (the platform's session API); verifying webhooks needs no key.
				name: 'voiceAgentApiKeyApi',
				required: false,
				displayOptions: { show: { platform: TRANSCRIPT_PLATFORMS } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// Layercode waits on the request for the turn's SSE answer; lifecycle events are answered
				// as soon as n8n has created the execution, which at-least-once senders need, or, with
				// Acknowledge "when the workflow succeeds", once n8n knows how the run ended (lastNode:
				// n8n answers 2xx or 500 after the last node, in the process holding the connection).
				...responseModeField,
				// Empty: answer with the webhookResponse below instead of n8n's default first entry.
				responseData: '',
				path: 'webhook',
			},
		],
		properties: triggerProperties,
	};

	methods = {
		credentialTest: { voiceAgentJwtApiTest: testJwtCredential, voiceAgentWebhookSecretApiTest: testWebhookSecretCredential },
	};

	webhookMethods = {
		default: {
			// No platform here has a registration API: the user pastes the URL into the platform.
			// Still false, so that n8n calls create() below on every activation: n8n runs create()
			// only when checkExists() answers false (WebhookService.createWebhookIfNotExists, n8n
			// 2.41.1 webhooks/webhook.service.js; 1.123.81 the same), and there the check can refuse.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				// Fail closed at publish time: an unknown setting or missing key material is a
				// configuration error, shown in the editor, not an open door. Registers nothing.
				const configured = configuredSettings(this);
				if ('problem' in configured) throw new NodeOperationError(this.getNode(), configured.problem);
				const { scheme } = configured;
				if (scheme.key === 'jwt') {
					const problem = await jwtConfigurationProblem(this);
					if (problem) throw new NodeOperationError(this.getNode(), problem);
				} else if (scheme.key !== 'none') {
					const secret = await signingSecret(this);
					const problem = secret === '' ? MISSING_SECRET : secretProblem(scheme, secret);
					if (problem) throw new NodeOperationError(this.getNode(), problem);
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const headers = this.getHeaderData();
		try {
			if (!req.rawBody) await req.readRawBody();
		} catch (error) {
			// Thrown here, n8n would answer 500 and record a failed execution for a request that
			// never was a delivery (body over n8n's size limit, broken gzip, caller gone mid-body).
			const tooLarge = (error as { status?: number }).status === 413;
			return answer(res, tooLarge ? 413 : 400, {
				error: tooLarge ? 'too_large' : 'unreadable_body',
				reason: tooLarge ? 'the body is larger than this n8n accepts' : 'the body could not be read',
			});
		}
		const body: Buffer = req.rawBody ?? Buffer.alloc(0);

		const configured = configuredSettings(this);
		if ('problem' in configured) {
			this.logger.error(`Voice Agent Trigger "${this.getNode().name}": ${configured.problem}`);
			return answer(res, 500, { error: 'configuration', message: configured.problem });
		}
		const { settings, platform, scheme } = configured;
		let secret = '';
		if (scheme.key === 'jwt') {
			const verification = await verifyInboundJwt(this, headers);
			if (!verification.valid) {
				// The key material is wrong, not the token: the sender's retry must get through once it is fixed.
				return JWT_CONFIGURATION_REASONS.has(verification.reason)
					? answer(res, 500, { error: 'configuration', message: `Bearer JWT verification: ${verification.reason}` })
					: answer(res, 401, { error: 'unauthorized', reason: verification.reason });
			}
		} else if (scheme.key !== 'none') {
			secret = await signingSecret(this);
			// The same check as at publish: the credential may have changed since.
			const problem = secret === '' ? MISSING_SECRET : secretProblem(scheme, secret);
			if (problem) {
				this.logger.error(`Voice Agent Trigger "${this.getNode().name}": ${problem}`);
				return answer(res, 500, { error: 'configuration', message: problem });
			}
			const verification = scheme.verify
				? scheme.verify({ headers, body }, secret, settings)
				: { valid: false as const, reason: 'unsupported verification method' };
			if (!verification.valid) return answer(res, 401, { error: 'unauthorized', reason: verification.reason });
		}

		let payload: unknown;
		const text = body.toString('utf8');
		try {
			payload = JSON.parse(text);
		} catch {
			return answer(res, 400, { error: 'invalid_json', reason: 'the body is not valid JSON' });
		}
		if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
			return answer(res, 400, { error: 'invalid_json', reason: 'the body is not a JSON object' });
		}

		payload = withoutSecret(payload as IDataObject, text, secret);
		const parsed = platform.parse(payload as IDataObject, (name) => this.getNodeParameter(name, null));
		const options = this.getNodeParameter('triggerOptions', {}) as TriggerOptions;
		if (options.strictSchema && parsed.warnings.length > 0) {
			return answer(res, 422, { error: 'unexpected_payload', problems: parsed.warnings });
		}
		if (!isEventWanted(this.getNodeParameter('events', ['*']) as string[], parsed.event, platform)) {
			return answer(res, 200, { status: 'ignored', event: parsed.event });
		}

		const deliveryId = platform.deliveryId
			? platform.deliveryId(headers, payload as IDataObject)
			: (scheme.deliveryId?.(headers) ?? null);
		const deduplicate = deliveryId !== null && options.deduplicate !== false;
		const scope = `${this.getWorkflow().id}:${this.getNode().id}`;
		const staticData = this.getWorkflowStaticData('node');
		// Live turns always stream (the option is not offered there): they are answered as they run.
		const acknowledgeOnSuccess = !platform.streamsTurns && options.acknowledge === 'workflowSucceeds';
		const holdMs = acknowledgeOnSuccess ? RUN_CLAIM_MAX_AGE_MS : PENDING_MAX_AGE_MS;
		const claim = deduplicate ? claimDelivery(scope, staticData, deliveryId, Date.now(), holdMs) : 'new';
		if (claim === 'duplicate') return answer(res, 200, { status: 'duplicate', deliveryId });
		// Not 2xx: if the copy being accepted fails, the sender's retry must still get through.
		if (claim === 'in_progress') {
			res.setHeader('Retry-After', '5');
			return answer(res, 409, { status: 'in_progress', deliveryId });
		}

		if (parsed.event === 'turn.welcome' && options.welcomeMessage) {
			sendWholeTurn(res, parsed.fields.turnId ?? null, [{ type: 'response.tts', content: options.welcomeMessage }]);
			return { noWebhookResponse: true };
		}

		const item = buildEvent(platform.id, parsed.event, parsed.fields, payload as IDataObject, deliveryId);
		const warnings = [...parsed.warnings, ...(item.warnings ?? [])];
		if (options.includeTranscript && platform.api && item.event === platform.transcriptOnEvent && item.sessionId) {
			if (!this.getNode().credentials?.voiceAgentApiKeyApi) {
				warnings.push(`transcript: ${noApiKeyCredential(platform)}`);
			} else {
				try {
					const ref = { sessionId: item.sessionId, agentId: item.agentId ?? undefined };
					item.transcript = await fetchTranscript(this, 'voiceAgentApiKeyApi', platform, ref);
				} catch (error) {
					warnings.push(`transcript: ${(error as Error).message}`);
				}
			}
		}
		if (warnings.length > 0) item.warnings = warnings;
		const workflowData = [[{ json: item }]];

		if (acknowledgeOnSuccess) {
			answerWhenWorkflowEnds(res, (succeeded) => {
				if (!deduplicate) return;
				// Failed: forgotten, so the sender's retry runs the workflow again.
				if (succeeded) rememberDeliveries(scope, staticData, deliveryId);
				else releaseDelivery(scope, deliveryId);
			});
			return { workflowData };
		}
		if (!platform.streamsTurns) {
			return acceptWhenExecutionExists(workflowData, () => {
				if (deduplicate) rememberDeliveries(scope, staticData, deliveryId);
			});
		}
		// Live-turn platforms run in n8n's streaming mode: this node writes the answer itself.
		if (parsed.expectsStream) {
			openTurnStream(res, { turnId: item.turnId, apology: options.errorApology || undefined, controlNodes: voiceAgentNodeNames(this) });
		} else if (parsed.expectsJsonReply) {
			// Layercode `data`: the workflow's Send Data is the JSON the browser client receives.
			openDataReply(res, { controlNodes: voiceAgentNodeNames(this) });
		} else {
			answerBeforeStreaming(res, { status: 'ok' });
		}
		return { workflowData, noWebhookResponse: true };
	}
}
