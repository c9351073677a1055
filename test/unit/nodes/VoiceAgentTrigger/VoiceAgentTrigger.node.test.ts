import { createHmac } from 'node:crypto';
import {
	resolveWebhookDescriptionField,
	webhookDescriptionIsNativelyResolvable,
	type IDataObject,
	type IHookFunctions,
	type INode,
	type INodeParameters,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { signLayercode, signStandardWebhook, timestampedSignature, nowSeconds } from '../../../support/sign';
import { FakeResponse } from '../../helpers/fakeResponse';
import { triggerNodeWith } from '../../helpers/triggerNode';
import { parameterReader } from '../../helpers/webhookDelivery';
import { resetDeduplication } from '../../../../nodes/VoiceAgentTrigger/deduplication';
import { responseModeFor, VoiceAgentTrigger } from '../../../../nodes/VoiceAgentTrigger/VoiceAgentTrigger.node';
import { PLATFORMS } from '../../../../nodes/shared/platforms';
import { STREAMING_PLATFORMS } from '../../../../nodes/VoiceAgentTrigger/TriggerDescription';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const TEXT_SECRET = 'layercode-webhook-secret-for-tests';
const MISSING_SECRET = /no Voice Agent Webhook Secret API credential with a Webhook Signing Secret is selected/;
const trigger = new VoiceAgentTrigger();
const methods = trigger.webhookMethods.default;

let workflowCounter = 0;
beforeEach(() => resetDeduplication());

/** The trigger with its signing-secret and JWT credentials set (and the API key when asked), as a user's workflow has it. */
const nodeWith = (parameters: INodeParameters, withApiKey = false): INode =>
	triggerNodeWith(parameters, {
		voiceAgentWebhookSecretApi: { id: 'cred-1', name: 'Secret' },
		voiceAgentJwtApi: { id: 'cred-2', name: 'JWT' },
		...(withApiKey ? { voiceAgentApiKeyApi: { id: 'cred-3', name: 'Key' } } : {}),
	});

interface Setup {
	parameters: INodeParameters;
	/** The Webhook Secret credential's data; undefined: the node has none. */
	credential?: IDataObject;
	/** The JWT credential's data (Verification: Bearer JWT). */
	jwtCredential?: IDataObject;
	/** The API-key credential's data; set: the node has one (Include Full Transcript). */
	apiKeyCredential?: IDataObject;
}

function credentialStore(credential: IDataObject | undefined, jwtCredential?: IDataObject, apiKeyCredential?: IDataObject) {
	const stored: Record<string, IDataObject | undefined> = {
		voiceAgentWebhookSecretApi: credential,
		voiceAgentJwtApi: jwtCredential,
		voiceAgentApiKeyApi: apiKeyCredential,
	};
	return jest.fn(async (type: string) => {
		const found = stored[type];
		if (!found) throw new Error(`Node does not have credentials of type ${type}`);
		return found;
	});
}

/** The context n8n hands webhookMethods (HookContext), with what the trigger uses. */
function hookContext({ parameters, credential }: Setup) {
	const node = nodeWith(parameters);
	const getCredentials = credentialStore(credential);
	const getWorkflowStaticData = jest.fn(() => ({}));
	const httpRequest = jest.fn(async () => {
		throw new Error('no network in this test');
	});
	const context = {
		getNode: () => node,
		getNodeParameter: parameterReader(node),
		getCredentials,
		getWorkflow: () => ({ id: `wf-${++workflowCounter}` }),
		getWorkflowStaticData,
		getNodeWebhookUrl: () => 'http://localhost:5678/webhook/x/webhook',
		helpers: { httpRequest },
	} as unknown as IHookFunctions;
	return { context, getCredentials, getWorkflowStaticData, httpRequest };
}

/** n8n's WebhookService.createWebhookIfNotExists, which runs on every activation (2.41.1 and 1.123.81). */
async function activate(context: IHookFunctions): Promise<void> {
	if (!(await methods.checkExists.call(context))) await methods.create.call(context);
}

/** Just enough of express's Response for answer() and answerBeforeStreaming(). */

/** One delivery through webhook(), as n8n's WebhookContext would hand it over. */
async function deliver(setup: Setup, body: string, headers: Record<string, string> = {}) {
	const node = nodeWith(setup.parameters, setup.apiKeyCredential !== undefined);
	const res = new FakeResponse();
	const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };
	const getCredentials = credentialStore(setup.credential, setup.jwtCredential, setup.apiKeyCredential);
	const httpRequestWithAuthentication = jest.fn(async () => ({ statusCode: 200, headers: {}, body: { data: [] } }));
	const context = {
		getNode: () => node,
		getNodeParameter: parameterReader(node),
		getCredentials,
		getWorkflow: () => ({ id: `wf-${++workflowCounter}` }),
		getWorkflowStaticData: () => ({}),
		getRequestObject: () => ({ rawBody: Buffer.from(body), readRawBody: async () => undefined }),
		getResponseObject: () => res,
		getHeaderData: () => headers,
		logger,
		helpers: { httpRequestWithAuthentication },
	} as unknown as IWebhookFunctions;
	const result: IWebhookResponseData = await trigger.webhook.call(context);
	const item = result.workflowData?.[0]?.[0]?.json;
	return { status: res.statusCode, answer: res.body as IDataObject | undefined, item, result, logger, getCredentials, httpRequestWithAuthentication };
}

const agntixBody = (eventType: string) => JSON.stringify({ id: 'sess-1', eventType, type: 'VOICE' });
const svix = (body: string, secret = SECRET, timestamp?: number) =>
	signStandardWebhook(body, secret, { id: `msg_${++workflowCounter}`, timestamp });

// ---------------------------------------------------------------------------------------------
// #6: the publish-time check must run. n8n calls create() only when checkExists() answers false.
// ---------------------------------------------------------------------------------------------

describe('audit #6: publishing runs the fail-closed check', () => {
	test('audit #6: checkExists answers false, so n8n goes on to create()', async () => {
		const { context } = hookContext({ parameters: { platform: 'agntix' }, credential: { webhookSecret: SECRET } });
		expect(await methods.checkExists.call(context)).toBe(false);
	});

	test('audit #6: activation refuses a signing method whose credential has no secret, with the reason', async () => {
		for (const secret of [undefined, '', '   ']) {
			const { context } = hookContext({ parameters: { platform: 'agntix' }, credential: { webhookSecret: secret } });
			await expect(activate(context)).rejects.toThrow(MISSING_SECRET);
		}
	});

	test('audit #6: activation refuses when the node has no credential at all', async () => {
		const { context } = hookContext({ parameters: { platform: 'layercode' } });
		await expect(activate(context)).rejects.toThrow(MISSING_SECRET);
	});

	test('audit #6: activation refuses Bearer JWT without a JWT credential', async () => {
		const { context } = hookContext({ parameters: { platform: 'speaknode', verification: 'jwt' } });
		await expect(activate(context)).rejects.toThrow('Bearer JWT verification needs a Voice Agent JWT API credential');
	});

	test('audit #6: activation refuses a secret too short for the method (secretProblem, audit #7)', async () => {
		for (const [parameters, secret] of [
			[{ platform: 'agntix' }, 'whsec_A'],
			[{ platform: 'agntix' }, 'not base64!'],
			[{ platform: 'layercode' }, 'q7Zr-9xK'],
		] as const) {
			const { context } = hookContext({ parameters, credential: { webhookSecret: secret } });
			const error = await activate(context).then(
				() => undefined,
				(thrown: Error) => thrown,
			);
			expect(error?.message).toMatch(/Webhook Signing Secret/);
			expect(error?.message).not.toContain(secret);
		}
	});

	test('with a secret, activation succeeds and registers nothing (no request, no static data)', async () => {
		const { context, httpRequest, getWorkflowStaticData } = hookContext({
			parameters: { platform: 'agntix' },
			credential: { webhookSecret: SECRET },
		});
		await expect(activate(context)).resolves.toBeUndefined();
		expect(await methods.create.call(context)).toBe(true);
		expect(httpRequest).not.toHaveBeenCalled();
		expect(getWorkflowStaticData).not.toHaveBeenCalled();
		expect(await methods.delete.call(context)).toBe(true);
	});

	test('the refusal of a secret never quotes it', async () => {
		// A secret the check reads and refuses (too short), not a setting refused before it is read.
		const shortSecret = 'short-secret-1';
		const { context } = hookContext({
			parameters: { platform: 'other', verification: 'stripeStyle', signatureHeader: 'stripe-signature' },
			credential: { webhookSecret: shortSecret },
		});
		const error = await activate(context).then(
			() => undefined,
			(thrown: Error) => thrown,
		);
		expect(error?.message).toMatch(/too short|shorter than/);
		expect(error?.message).not.toContain(shortSecret);
	});
});

// ---------------------------------------------------------------------------------------------
// #5: a parameter the node does not know refuses; it never turns verification off.
// ---------------------------------------------------------------------------------------------

describe('audit #5: unknown platform, verification or tolerance refuses', () => {
	const unknownPlatforms = ['vapi-next', 'retell-next', 'Retell', 'Agntix', 'constructor', '__proto__', ''];
	const unknownPlatform = (platform: string) => ({
		parameters: { platform, verification: 'standardWebhooks' },
		credential: { webhookSecret: SECRET },
	});

	test.each(unknownPlatforms)('audit #5: platform %j: publishing is refused with the reason', async (platform) => {
		await expect(activate(hookContext(unknownPlatform(platform)).context)).rejects.toThrow(
			/Platform .* is not one this version of the Voice Agent Trigger knows/,
		);
	});

	test.each(unknownPlatforms)('audit #5: platform %j: a delivery gets 500 and starts nothing', async (platform) => {
		// Unsigned: before the fix, the hidden Verification read as None and this was accepted.
		const outcome = await deliver(unknownPlatform(platform), JSON.stringify({ type: 'call.ended' }));
		expect(outcome.status).toBe(500);
		expect(outcome.answer).toMatchObject({ error: 'configuration' });
		expect(outcome.result.workflowData).toBeUndefined();
		expect(outcome.logger.error).toHaveBeenCalled();
	});

	const unknownMethods = [
		['other', 'hmac'],
		['other', 'svix'],
		['other', 'None'],
		['agntix', 'bodyHmac'],
		['layercode', 'jwt'],
		['speaknode', 'standardWebhooks'],
	];
	const unknownMethod = (platform: string, verification: string) => ({
		parameters: { platform, verification, signatureHeader: 'x-sig' },
		credential: { webhookSecret: TEXT_SECRET },
	});

	test.each(unknownMethods)('audit #5: platform %s with verification %j: publishing is refused', async (platform, verification) => {
		await expect(activate(hookContext(unknownMethod(platform, verification)).context)).rejects.toThrow(
			/Verification .* is not offered for the/,
		);
	});

	test.each(unknownMethods)('audit #5: platform %s with verification %j: a delivery gets 500', async (platform, verification) => {
		const outcome = await deliver(unknownMethod(platform, verification), JSON.stringify({ type: 'x', event: 'x', eventType: 'x' }));
		expect(outcome.status).toBe(500);
		expect(outcome.result.workflowData).toBeUndefined();
	});

	const badTolerances = [
		['NaN', Number.NaN],
		['Infinity', Number.POSITIVE_INFINITY],
		['negative', -300],
		['zero', 0],
		['text', 'five minutes'],
		['empty text', ''],
		['null', null],
	] as const;
	const withTolerance = (toleranceSeconds: number | string | null) => ({
		parameters: { platform: 'agntix', toleranceSeconds },
		credential: { webhookSecret: SECRET },
	});

	test.each(badTolerances)('audit #5: a %s Timestamp Tolerance: publishing is refused', async (_name, toleranceSeconds) => {
		await expect(activate(hookContext(withTolerance(toleranceSeconds)).context)).rejects.toThrow(
			/Timestamp Tolerance must be a positive number of seconds/,
		);
	});

	test.each(badTolerances)('audit #5: a %s Timestamp Tolerance: a replayed delivery gets 500, not accepted', async (_name, toleranceSeconds) => {
		// Signed two days ago. Before the fix, NaN compared false either way and it was accepted.
		const body = agntixBody('session.ended');
		const outcome = await deliver(withTolerance(toleranceSeconds), body, svix(body, SECRET, nowSeconds() - 2 * 86_400));
		expect(outcome.status).toBe(500);
		expect(outcome.result.workflowData).toBeUndefined();
	});

	test('audit #5: Layercode and Stripe-style tolerances are checked the same way', async () => {
		const layercode = { parameters: { platform: 'layercode', toleranceSeconds: Number.NaN }, credential: { webhookSecret: TEXT_SECRET } };
		await expect(activate(hookContext(layercode).context)).rejects.toThrow(/Timestamp Tolerance/);
		const body = JSON.stringify({ type: 'session.update', session_id: 's-1' });
		const outcome = await deliver(layercode, body, signLayercode(body, TEXT_SECRET, nowSeconds() - 86_400));
		expect(outcome.status).toBe(500);
		const stripe = {
			parameters: { platform: 'other', verification: 'stripeStyle', signatureHeader: 'stripe-signature', toleranceSeconds: -1 },
			credential: { webhookSecret: TEXT_SECRET },
		};
		await expect(activate(hookContext(stripe).context)).rejects.toThrow(/Timestamp Tolerance/);
	});

	test('audit #5: an algorithm or encoding the node does not offer refuses', async () => {
		for (const parameters of [
			{ platform: 'speaknode', verification: 'bodyHmac', signatureHeader: 'x-sig', signatureAlgorithm: 'md5' },
			{ platform: 'speaknode', verification: 'bodyHmac', signatureHeader: 'x-sig', signatureEncoding: 'base32' },
		]) {
			await expect(activate(hookContext({ parameters, credential: { webhookSecret: TEXT_SECRET } }).context)).rejects.toThrow(
				/is not one the node offers/,
			);
		}
	});

	test('a tolerance an expression turned into text still counts', async () => {
		const setup = { parameters: { platform: 'agntix', toleranceSeconds: '300' }, credential: { webhookSecret: SECRET } };
		await expect(activate(hookContext(setup).context)).resolves.toBeUndefined();
		const body = agntixBody('session.ended');
		expect((await deliver(setup, body, svix(body))).item).toMatchObject({ event: 'session.ended' });
		expect((await deliver(setup, body, svix(body, SECRET, nowSeconds() - 301))).status).toBe(401);
	});

	test('Verification: None stays an explicit, allowed choice (no credential needed)', async () => {
		for (const platform of ['agntix', 'layercode', 'speaknode', 'other']) {
			const setup = { parameters: { platform, verification: 'none' } };
			await expect(activate(hookContext(setup).context)).resolves.toBeUndefined();
		}
		const outcome = await deliver({ parameters: { platform: 'agntix', verification: 'none' } }, agntixBody('session.ended'));
		expect(outcome.item).toMatchObject({ provider: 'agntix', event: 'session.ended' });
	});

	test('a known platform saved without Verification gets its default (signed), not None', async () => {
		for (const platform of ['agntix', 'layercode', 'speaknode', 'other']) {
			const setup = { parameters: { platform, signatureHeader: 'x-sig' }, credential: { webhookSecret: '' } };
			await expect(activate(hookContext(setup).context)).rejects.toThrow(MISSING_SECRET);
		}
		const outcome = await deliver({ parameters: { platform: 'agntix' }, credential: { webhookSecret: SECRET } }, agntixBody('session.ended'));
		expect(outcome.status).toBe(401);
	});

	test('genuine signed deliveries still start an execution', async () => {
		const agntix = agntixBody('session.ended');
		expect((await deliver({ parameters: { platform: 'agntix' }, credential: { webhookSecret: SECRET } }, agntix, svix(agntix))).item).toMatchObject({
			event: 'session.ended',
		});
		const stripeBody = JSON.stringify({ type: 'call.ended' });
		const stripe = await deliver(
			{ parameters: { platform: 'other', verification: 'stripeStyle', signatureHeader: 'stripe-signature' }, credential: { webhookSecret: TEXT_SECRET } },
			stripeBody,
			{ 'stripe-signature': timestampedSignature(stripeBody, TEXT_SECRET) },
		);
		expect(stripe.item).toMatchObject({ provider: 'other', event: 'call.ended' });
	});
});

// ---------------------------------------------------------------------------------------------
// #4: event names equal to Object.prototype members are ordinary unknown events.
// ---------------------------------------------------------------------------------------------

describe('audit #4: Object.prototype names as event names through webhook()', () => {
	const bodies: Record<string, (name: string) => IDataObject> = {
		agntix: (name) => ({ id: 'sess-1', eventType: name, type: 'VOICE' }),
		layercode: (name) => ({ type: name, session_id: 'sess-1' }),
		speaknode: (name) => ({ event: name, data: { session_id: 'sess-1' } }),
		other: (name) => ({ type: name }),
	};
	const cases = Object.keys(bodies).flatMap((platform) =>
		['constructor', 'toString', '__proto__', 'hasOwnProperty'].map((name) => [platform, name] as const),
	);

	test.each(cases)('audit #4: %s, event %s: answered as an unknown event, never a throw', async (platform, name) => {
		const body = JSON.stringify(bodies[platform](name));
		const parameters = (events: string[]) => ({ platform, verification: 'none', events });

		const all = await deliver({ parameters: parameters(['*']) }, body);
		expect(all.status).toBe(200);
		expect(all.item).toMatchObject({ provider: platform, event: name, eventType: name });

		const others = await deliver({ parameters: parameters(['other']) }, body);
		expect(others.item).toMatchObject({ event: name });

		const filtered = await deliver({ parameters: parameters(['session.ended']) }, body);
		expect(filtered.answer).toEqual({ status: 'ignored', event: name });
		expect(filtered.result.workflowData).toBeUndefined();
	});
});

describe('a credential that cannot verify is a configuration error (500, logged), not the sender\'s (401)', () => {
	const layercodeBody = JSON.stringify({ type: 'message', session_id: 's', conversation_id: 'c', turn_id: 't', text: 'hi' });

	test('audit #7: a signing secret shorter than 16 bytes, found per request, even with a genuine signature', async () => {
		const secret = 'short-secret';
		const outcome = await deliver({ parameters: { platform: 'layercode' }, credential: { webhookSecret: secret } }, layercodeBody, signLayercode(layercodeBody, secret));
		expect(outcome.status).toBe(500);
		expect(outcome.answer).toMatchObject({ error: 'configuration' });
		expect(JSON.stringify(outcome.answer)).not.toContain(secret);
		expect(outcome.result.workflowData).toBeUndefined();
		expect(outcome.logger.error).toHaveBeenCalled();
	});

	test.each([
		['an HS secret under 16 bytes', { keyType: 'secret', secret: 'short-secret', algorithms: ['HS256'] }, 'invalid verification key'],
		['a plain http JWKS URL', { keyType: 'jwks', jwksUrl: 'http://idp.example.com/jwks.json', algorithms: ['RS256'] }, 'JWKS URL must use https'],
	])('audit #7/#8: Bearer JWT with %s', async (_, jwtCredential, reason) => {
		const outcome = await deliver(
			{ parameters: { platform: 'speaknode', verification: 'jwt' }, jwtCredential },
			JSON.stringify({ event: 'ConversationComplete', data: {} }),
			{ authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' },
		);
		expect(outcome.status).toBe(500);
		expect(outcome.answer).toEqual({ error: 'configuration', message: `Bearer JWT verification: ${reason}` });
		expect(outcome.result.workflowData).toBeUndefined();
	});
});

// ---------------------------------------------------------------------------------------------
// Acknowledge "When the Workflow Succeeds": n8n's answer after the run decides what is remembered.
// ---------------------------------------------------------------------------------------------

describe('Acknowledge: When the Workflow Succeeds', () => {
	/** A response n8n ends after the run, with the status it chose (lastNode mode). */
	class EndedLater extends FakeResponse {
		headersSent = false;
		removeHeader() {}
	}
	const parameters = { platform: 'agntix', triggerOptions: { acknowledge: 'workflowSucceeds' } };
	const body = agntixBody('session.ended');

	/** Deliveries to one trigger (one workflow id), each answered by n8n with `n8nStatus` after the run. */
	function triggerInWorkflow(setup: Setup = { parameters, credential: { webhookSecret: SECRET } }) {
		const node = nodeWith(setup.parameters);
		const workflowId = `wf-${++workflowCounter}`;
		return async (headers: Record<string, string>, n8nStatus?: number) => {
			const res = new EndedLater();
			const context = {
				getNode: () => node,
				getNodeParameter: parameterReader(node),
				getCredentials: credentialStore(setup.credential),
				getWorkflow: () => ({ id: workflowId }),
				getWorkflowStaticData: () => ({}),
				getRequestObject: () => ({ rawBody: Buffer.from(body), readRawBody: async () => undefined }),
				getResponseObject: () => res,
				getHeaderData: () => headers,
				logger: { error: jest.fn() },
				helpers: {},
			} as unknown as IWebhookFunctions;
			const result = await trigger.webhook.call(context);
			if (n8nStatus !== undefined && result.workflowData) res.status(n8nStatus).end();
			return { result, status: res.statusCode, answer: res.body as IDataObject | undefined };
		};
	}

	test('starts the workflow and leaves the answer to the end of the run (no webhookResponse, no noWebhookResponse)', async () => {
		const { result } = await triggerInWorkflow()(svix(body));
		expect(result.workflowData?.[0]?.[0]?.json).toMatchObject({ event: 'session.ended' });
		expect(result).not.toHaveProperty('webhookResponse');
		expect(result).not.toHaveProperty('noWebhookResponse');
	});

	test('a failed run (n8n 500) forgets the id: the same delivery runs again; after a success it is a duplicate', async () => {
		const deliver = triggerInWorkflow();
		const headers = svix(body);
		expect((await deliver(headers, 500)).status).toBe(500);
		const retried = await deliver(headers, 200);
		expect(retried.result.workflowData).toBeDefined();
		const again = await deliver(headers);
		expect(again).toMatchObject({ status: 200, answer: { status: 'duplicate' } });
		expect(again.result.workflowData).toBeUndefined();
	});

	test('a copy while the first still runs gets 409 + Retry-After, even past 30 s', async () => {
		const deliver = triggerInWorkflow();
		const headers = svix(body);
		await deliver(headers); // still running: n8n has not answered
		const now = Date.now();
		const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 31_000);
		try {
			const copy = await deliver(headers);
			expect(copy).toMatchObject({ status: 409, answer: { status: 'in_progress' } });
		} finally {
			clock.mockRestore();
		}
	});

	test('When the Execution Starts (default) still answers through webhookResponse once the execution exists', async () => {
		const { result } = await triggerInWorkflow({ parameters: { platform: 'agntix' }, credential: { webhookSecret: SECRET } })(svix(body));
		expect(result.webhookResponse).toEqual({ status: 'accepted' });
	});

	test('the webhook description asks n8n for lastNode only under this option, never for Layercode', () => {
		const cases: Array<[INodeParameters, string]> = [
			[{ platform: 'agntix', triggerOptions: {} }, 'onReceived'],
			[{ platform: 'agntix' }, 'onReceived'],
			[{ platform: 'agntix', triggerOptions: { acknowledge: 'executionStarts' } }, 'onReceived'],
			[{ platform: 'agntix', triggerOptions: { acknowledge: 'workflowSucceeds' } }, 'lastNode'],
			[{ platform: 'other', triggerOptions: { acknowledge: 'workflowSucceeds' } }, 'lastNode'],
			[{ platform: 'layercode', triggerOptions: { acknowledge: 'workflowSucceeds' } }, 'streaming'],
			[{ platform: 'layercode' }, 'streaming'],
		];
		const template = trigger.description.webhooks?.[0].responseMode as string;
		// What n8n 1.x (and the editor) evaluates: the template, with only $parameter in scope.
		const evaluate = new Function('$parameter', `return ${template.slice('={{'.length, -'}}'.length)}`) as (p: INodeParameters) => unknown;
		for (const [parameters, mode] of cases) {
			expect({ parameters, mode: responseModeFor(parameters) }).toEqual({ parameters, mode });
			expect({ parameters, mode: evaluate(parameters) }).toEqual({ parameters, mode });
		}
	});

	test('every platform that streams its turns, and only those, runs in streaming mode (the literal list in responseModeFor)', () => {
		for (const platform of PLATFORMS) {
			expect({ platform: platform.id, mode: responseModeFor({ platform: platform.id }) }).toEqual({
				platform: platform.id,
				mode: platform.streamsTurns ? 'streaming' : 'onReceived',
			});
		}
		expect(STREAMING_PLATFORMS).toEqual(PLATFORMS.filter((platform) => platform.streamsTurns).map((platform) => platform.id));
	});

	test('new triggers are version 1.1 on n8n 2.41+, which spares n8n the version-1 body option expression; 1 still loads', () => {
		expect(trigger.description.version).toEqual([1, 1.1]);
		expect(trigger.description.defaultVersion).toBe(1.1);
	});

	test('on n8n 1.x (no native description resolvers) new triggers stay version 1: 1.x would keep multipart uploads in its temp folder', () => {
		jest.isolateModules(() => {
			jest.doMock('n8n-workflow', () => ({
				...jest.requireActual('n8n-workflow'),
				webhookDescriptionFields: undefined,
				fromFunction: undefined,
			}));
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const { VoiceAgentTrigger: OnN8n1 } = require('../../../../nodes/VoiceAgentTrigger/VoiceAgentTrigger.node') as typeof import('../../../../nodes/VoiceAgentTrigger/VoiceAgentTrigger.node');
			const description = new OnN8n1().description;
			expect(description.version).toEqual([1, 1.1]);
			expect(description.defaultVersion).toBe(1);
			expect(description.webhooks?.[0].responseMode).toMatch(/^=\{\{/);
		});
		jest.dontMock('n8n-workflow');
	});

	test("n8n 2.41+ resolves the response mode natively: no expression engine, no isolate per delivery", () => {
		const [webhook] = trigger.description.webhooks ?? [];
		expect(webhookDescriptionIsNativelyResolvable(webhook)).toBe(true);
		for (const platform of ['agntix', 'layercode']) {
			const node = { parameters: { platform, triggerOptions: { acknowledge: 'workflowSucceeds' } } };
			expect(resolveWebhookDescriptionField(node, webhook, 'responseMode')).toEqual({
				resolved: true,
				value: platform === 'layercode' ? 'streaming' : 'lastNode',
			});
		}
		// A user's expression in a parameter leaves it to the engine, as n8n intends.
		expect(resolveWebhookDescriptionField({ parameters: { platform: '={{ "agntix" }}' } }, webhook, 'responseMode')).toEqual({ resolved: false });
	});
});

// ---------------------------------------------------------------------------------------------
// Issue 15: the signing secret has a credential of its own, so a secret-only user saves green.
// ---------------------------------------------------------------------------------------------

describe('the signing secret comes from the Voice Agent Webhook Secret API credential', () => {
	const credentialsOf = (name: string) => trigger.description.credentials?.find((credential) => credential.name === name);
	const SIGNING_METHODS = ['standardWebhooks', 'layercodeSignature', 'stripeStyle', 'bodyHmac', 'sharedSecret'];

	test('the trigger asks for it, required and tested offline, for every signing method', () => {
		expect(credentialsOf('voiceAgentWebhookSecretApi')).toEqual({
			name: 'voiceAgentWebhookSecretApi',
			required: true,
			testedBy: 'voiceAgentWebhookSecretApiTest',
			displayOptions: { show: { verification: expect.arrayContaining(SIGNING_METHODS) } },
		});
		const shownFor = credentialsOf('voiceAgentWebhookSecretApi')?.displayOptions?.show?.verification;
		expect(shownFor).not.toContain('jwt');
		expect(shownFor).not.toContain('none');
		expect(Object.keys(trigger.methods.credentialTest)).toContain('voiceAgentWebhookSecretApiTest');
	});

	test('the API key is optional and offered for Agntix only (Include Full Transcript); the JWT credential is unchanged', () => {
		expect(credentialsOf('voiceAgentApiKeyApi')).toEqual({
			name: 'voiceAgentApiKeyApi',
			required: false,
			displayOptions: { show: { platform: ['agntix'] } },
		});
		expect(credentialsOf('voiceAgentJwtApi')).toEqual({
			name: 'voiceAgentJwtApi',
			required: true,
			testedBy: 'voiceAgentJwtApiTest',
			displayOptions: { show: { verification: ['jwt'] } },
		});
	});

	/** Each signing method with a secret it accepts, as a user would configure it. */
	const methodSetups: Array<[string, INodeParameters, string]> = [
		['standardWebhooks', { platform: 'agntix' }, SECRET],
		['layercodeSignature', { platform: 'layercode' }, TEXT_SECRET],
		['stripeStyle', { platform: 'other', verification: 'stripeStyle', signatureHeader: 'stripe-signature' }, TEXT_SECRET],
		['bodyHmac', { platform: 'speaknode', verification: 'bodyHmac', signatureHeader: 'x-sig' }, TEXT_SECRET],
		['sharedSecret', { platform: 'other', verification: 'sharedSecret', signatureHeader: 'x-token' }, TEXT_SECRET],
	];

	test.each(methodSetups)('%s: publishing reads the secret from the Webhook Secret credential', async (_method, parameters, secret) => {
		const { context, getCredentials } = hookContext({ parameters, credential: { webhookSecret: secret } });
		await expect(activate(context)).resolves.toBeUndefined();
		expect(getCredentials).toHaveBeenCalledWith('voiceAgentWebhookSecretApi');
		expect(getCredentials).not.toHaveBeenCalledWith('voiceAgentApiKeyApi');
	});

	test.each(methodSetups)('%s: no Webhook Secret credential → publishing refused, and a delivery gets 500 configuration', async (_method, parameters) => {
		await expect(activate(hookContext({ parameters }).context)).rejects.toThrow(MISSING_SECRET);
		const outcome = await deliver({ parameters }, agntixBody('session.ended'));
		expect(outcome.status).toBe(500);
		expect(outcome.answer).toMatchObject({ error: 'configuration' });
		expect(String(outcome.answer?.message)).toMatch(MISSING_SECRET);
		expect(outcome.result.workflowData).toBeUndefined();
	});

	test('a secret left on an API-key credential (the old place) is not used: 500, not verified with it', async () => {
		const body = agntixBody('session.ended');
		const outcome = await deliver({ parameters: { platform: 'agntix' }, apiKeyCredential: { apiKey: 'pk_1', webhookSecret: SECRET } }, body, svix(body));
		expect(outcome.status).toBe(500);
		expect(outcome.answer).toMatchObject({ error: 'configuration' });
		expect(outcome.result.workflowData).toBeUndefined();
	});

	test('a genuine delivery verified with the Webhook Secret credential starts an execution', async () => {
		const body = agntixBody('session.ended');
		const outcome = await deliver({ parameters: { platform: 'agntix' }, credential: { webhookSecret: ` ${SECRET} ` } }, body, svix(body));
		expect(outcome.item).toMatchObject({ provider: 'agntix', event: 'session.ended' });
		expect(outcome.getCredentials).toHaveBeenCalledWith('voiceAgentWebhookSecretApi');
	});
});

describe('Include Full Transcript reads the API key from the optional API-key credential', () => {
	const transcriptSetup = { parameters: { platform: 'agntix', triggerOptions: { includeTranscript: true } }, credential: { webhookSecret: SECRET } };

	test('without an API-key credential: delivered, with a warning naming the credential, and nothing requested', async () => {
		const body = agntixBody('session.ended');
		const outcome = await deliver(transcriptSetup, body, svix(body));
		expect(outcome.item).toMatchObject({ event: 'session.ended', sessionId: 'sess-1' });
		expect(outcome.item?.warnings).toEqual([
			'transcript: Include Full Transcript needs a Voice Agent API Key API credential (the Agntix API key) on the trigger; none is selected',
		]);
		expect(outcome.getCredentials).not.toHaveBeenCalledWith('voiceAgentApiKeyApi');
		expect(outcome.httpRequestWithAuthentication).not.toHaveBeenCalled();
	});

	test('with one: the transcript is fetched with it', async () => {
		const body = agntixBody('session.ended');
		const outcome = await deliver({ ...transcriptSetup, apiKeyCredential: { baseUrl: 'https://api.agntix.ai', apiKey: 'pk_1' } }, body, svix(body));
		expect(outcome.item?.warnings).toBeUndefined();
		expect(outcome.item?.transcript).toEqual([]);
		expect(outcome.getCredentials).toHaveBeenCalledWith('voiceAgentApiKeyApi');
		expect(outcome.httpRequestWithAuthentication).toHaveBeenCalledWith('voiceAgentApiKeyApi', expect.objectContaining({ method: 'GET' }));
	});
});

describe('review findings on the registry (issue 16)', () => {
	test('Other (Generic), Events "Other Events": a sent session.failed still runs, as before platforms had their own lists', async () => {
		const body = JSON.stringify({ type: 'session.failed', id: 'x' });
		const outcome = await deliver({ parameters: { platform: 'other', verification: 'none', events: ['other'] } }, body);
		expect(outcome.item).toMatchObject({ event: 'session.failed', provider: 'other' });
	});

	test('the webhook secret echoed in a payload (Vapi’s assistant.server.headers) reaches neither the item nor raw', async () => {
		const body = JSON.stringify({
			message: {
				type: 'end-of-call-report',
				call: { id: 'call-1' },
				assistant: { server: { headers: { authorization: `Bearer ${TEXT_SECRET}` } } },
				analysis: { summary: `not secret` },
			},
		});
		const outcome = await deliver(
			{ parameters: { platform: 'vapi', verification: 'vapiBearerToken', events: ['*'] }, credential: { webhookSecret: TEXT_SECRET } },
			body,
			{ authorization: `Bearer ${TEXT_SECRET}` },
		);
		expect(outcome.status).toBe(200);
		expect(outcome.item).toMatchObject({ event: 'session.ended', summary: 'not secret' });
		expect(JSON.stringify(outcome.item)).not.toContain(TEXT_SECRET);
		expect(JSON.stringify(outcome.item)).toContain('Bearer [redacted]');
	});

	test('Layercode’s signature ignores the generic Signature Key and Algorithm a saved node may still hold', async () => {
		const body = JSON.stringify({ type: 'session.end', session_id: 's-1' });
		const t = Math.floor(Date.now() / 1000);
		const mac = createHmac('sha256', TEXT_SECRET).update(`${t}.${body}`).digest('hex');
		const outcome = await deliver(
			{
				parameters: { platform: 'layercode', verification: 'layercodeSignature', signatureKey: 'v0', signatureAlgorithm: 'sha512' },
				credential: { webhookSecret: TEXT_SECRET },
			},
			body,
			{ 'layercode-signature': `t=${t},v1=${mac}` },
		);
		expect(outcome.status).not.toBe(401);
	});
});
