import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IHookFunctions,
	INodeCredentialTestResult,
	IWebhookFunctions,
} from 'n8n-workflow';

import { cachedCredentials } from '../credentialCache';
import { checkJwtKeyMaterial, verifyBearerToken, type JwtAlgorithm, type JwtSettings, type JwtVerification } from './jwt';
import { header, type IncomingHttpHeaders } from './headers';
import { apiBaseUrl, apiUrl } from '../platformApi';

type Context = IHookFunctions | IWebhookFunctions;

/** The JWT credential's verification fields. */
export function jwtSettings(credentials: ICredentialDataDecryptedObject): JwtSettings {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	return {
		keyType: (text(credentials.keyType) || 'secret') as JwtSettings['keyType'],
		secret: text(credentials.secret),
		publicKey: text(credentials.publicKey),
		jwksUrl: text(credentials.jwksUrl),
		algorithms: Array.isArray(credentials.algorithms) ? (credentials.algorithms as JwtAlgorithm[]) : [],
		issuer: text(credentials.issuer),
		audience: text(credentials.audience),
		leewaySeconds: typeof credentials.leewaySeconds === 'number' ? credentials.leewaySeconds : 30,
		allowMissingExpiry: credentials.allowMissingExpiry === true,
	};
}

/** A JWKS is a few KiB: anything larger is refused before n8n holds it in memory. */
const JWKS_MAX_BYTES = 256 * 1024;
/** For the whole fetch, body included (the HTTP `timeout` restarts on every chunk, so a slow body never trips it). */
const JWKS_DEADLINE_MS = 5_000;

const TOO_LARGE = `the answer is larger than ${JWKS_MAX_BYTES / 1024} KiB`;
const TOO_SLOW = `no complete answer within ${JWKS_DEADLINE_MS / 1000} s`;

/** A failure this file describes itself (its message is safe to show). */
class JwksFetchError extends Error {}

interface BodyStream extends AsyncIterable<unknown> {
	destroy(error?: Error): void;
}

const isStream = (value: unknown): value is BodyStream =>
	typeof value === 'object' &&
	value !== null &&
	Symbol.asyncIterator in value &&
	typeof (value as { destroy?: unknown }).destroy === 'function';

/** A response as n8n's `httpRequest` returns it with `returnFullResponse`. */
interface Response {
	body?: unknown;
	statusCode?: number;
}

/** Reads at most JWKS_MAX_BYTES of the body, and no longer than the deadline. */
async function readBounded(body: unknown, deadline: AbortSignal): Promise<string> {
	if (typeof body === 'string' || Buffer.isBuffer(body)) {
		if (Buffer.byteLength(body) > JWKS_MAX_BYTES) throw new JwksFetchError(TOO_LARGE);
		return body.toString();
	}
	if (!isStream(body)) {
		// A helper that parsed the body itself (it was asked for a stream): still bounded.
		const text = JSON.stringify(body) ?? '';
		if (Buffer.byteLength(text) > JWKS_MAX_BYTES) throw new JwksFetchError(TOO_LARGE);
		return text;
	}
	const stop = () => body.destroy(new JwksFetchError(TOO_SLOW));
	if (deadline.aborted) stop();
	deadline.addEventListener('abort', stop, { once: true });
	try {
		const chunks: Buffer[] = [];
		let size = 0;
		for await (const chunk of body) {
			const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
			size += bytes.length;
			if (size > JWKS_MAX_BYTES) {
				body.destroy();
				throw new JwksFetchError(TOO_LARGE);
			}
			chunks.push(bytes);
		}
		return Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
	} finally {
		deadline.removeEventListener('abort', stop);
	}
}

/** The request, or TOO_SLOW once the deadline passes (a late answer's body is then discarded). */
async function beforeDeadline(request: Promise<Response>, deadline: AbortSignal): Promise<Response> {
	return await new Promise<Response>((resolve, reject) => {
		const late = () => reject(new JwksFetchError(TOO_SLOW));
		if (deadline.aborted) late();
		deadline.addEventListener('abort', late, { once: true });
		request.then(
			(response) => {
				deadline.removeEventListener('abort', late);
				if (deadline.aborted && isStream(response?.body)) response.body.destroy();
				resolve(response);
			},
			(error: unknown) => {
				deadline.removeEventListener('abort', late);
				reject(error);
			},
		);
	});
}

/**
 * What went wrong, without the answer's text: the URL may point at an internal server, and its
 * error pages must not reach the editor through the credential test.
 */
function fetchFailure(error: unknown, deadline: AbortSignal): Error {
	const { code, status, statusCode, response } = (error ?? {}) as {
		code?: unknown;
		status?: unknown;
		statusCode?: unknown;
		response?: { status?: unknown };
	};
	if (error instanceof JwksFetchError) return error;
	if (deadline.aborted) return new Error(TOO_SLOW);
	const httpStatus = [statusCode, status, response?.status].find((value) => typeof value === 'number');
	if (httpStatus !== undefined) return new Error(`HTTP ${httpStatus as number}`);
	if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return new Error(code);
	return new Error('the request failed');
}

/**
 * Fetches a JWKS document as text: size- and time-bounded, no redirects (an https URL must not
 * end up on http), and failures described by status or error code only.
 */
async function fetchJwksText(request: (deadline: AbortSignal) => Promise<Response>): Promise<string> {
	const deadline = AbortSignal.timeout(JWKS_DEADLINE_MS);
	try {
		const response = await beforeDeadline(request(deadline), deadline);
		// A helper that ignored the full-response option hands back the body itself.
		const body = isStream(response) ? response : response?.body;
		const status = isStream(response) ? 200 : (response?.statusCode ?? 200);
		if (status < 200 || status >= 300) {
			if (isStream(body)) body.destroy();
			const redirect = status >= 300 && status < 400 ? ' (redirects are not followed: use the final URL)' : '';
			throw new JwksFetchError(`HTTP ${status}${redirect}`);
		}
		return await readBounded(body, deadline);
	} catch (error) {
		throw fetchFailure(error, deadline);
	}
}

/** JWKS documents are public: fetched with n8n's plain HTTP helper, never with credentials. */
function jwksFetcher(context: Context) {
	return async (url: string): Promise<unknown> =>
		await fetchJwksText(
			async (deadline) =>
				(await context.helpers.httpRequest({
					method: 'GET',
					url,
					encoding: 'stream',
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					disableFollowRedirect: true,
					timeout: JWKS_DEADLINE_MS,
					abortSignal: deadline,
				})) as Response,
		);
}

async function credentialSettings(context: Context): Promise<JwtSettings | undefined> {
	const credentials =
		'getRequestObject' in context
			? await cachedCredentials(context, 'voiceAgentJwtApi')
			: await context.getCredentials('voiceAgentJwtApi').catch(() => undefined);
	return credentials ? jwtSettings(credentials) : undefined;
}

/** Verifies the request's `Authorization: Bearer` token against the JWT credential. */
export async function verifyInboundJwt(context: IWebhookFunctions, headers: IncomingHttpHeaders): Promise<JwtVerification> {
	const settings = await credentialSettings(context);
	if (!settings) return { valid: false, reason: 'no verification key configured' };
	return await verifyBearerToken(header(headers, 'authorization'), settings, jwksFetcher(context));
}

/**
 * What is wrong with the JWT credential's key material, if anything (checked on activation). The
 * JWKS is downloaded only when a user publishes: on n8n's start or a leadership change, an identity
 * provider that is briefly down must not leave the trigger off (n8n would answer 404 until a retry).
 */
export async function jwtConfigurationProblem(context: IHookFunctions): Promise<string | undefined> {
	const settings = await credentialSettings(context);
	if (!settings) return 'Bearer JWT verification needs a Voice Agent JWT API credential';
	const mode = context.getActivationMode?.();
	const download = mode !== 'init' && mode !== 'leadershipChange';
	return await checkJwtKeyMaterial(settings, jwksFetcher(context), { download });
}

/** The credential test never downloads (checkJwtKeyMaterial is told so): calling this is a bug. */
const noDownload = async (): Promise<never> => {
	throw new Error('the credential test does not download the JWKS');
};

/**
 * The JWT credential's test, without the network: the inbound key material is usable (a secret of
 * at least 16 bytes, a PEM key that parses and fits an allowed algorithm, a JWKS URL that is
 * https or loopback http), and an access token has an API Base URL it may be sent to.
 *
 * n8n hands credential tests one HTTP helper, the deprecated `helpers.request`
 * (ICredentialTestFunctions in n8n 1.x and 2.x), and n8n's scanner refuses it in verified
 * packages. So the JWKS is downloaded when a workflow is published (jwtConfigurationProblem,
 * through `httpRequest`), and the access token is first sent on an API call (platformApi.ts),
 * whose 401 says what to check.
 */
export async function testJwtCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const settings = jwtSettings(data);
	const keyConfigured = Boolean(settings.secret || settings.publicKey || settings.jwksUrl);
	if (keyConfigured) {
		const problem = await checkJwtKeyMaterial(settings, noDownload, { download: false });
		if (problem) return { status: 'Error', message: `Inbound token key: ${problem}` };
	}
	const token = typeof data.accessToken === 'string' ? data.accessToken.trim() : '';
	if (token !== '') {
		const base = apiBaseUrl(data.baseUrl);
		if (typeof base === 'string') return { status: 'Error', message: base };
		if (apiUrl(base, '/api/v1/chat/sessions') === undefined) {
			return { status: 'Error', message: 'The API Base URL cannot be used to build the API address' };
		}
	}
	if (!keyConfigured && token === '') return { status: 'Error', message: 'Set an access token, an inbound token key, or both' };
	return { status: 'OK', message: 'Connection tested successfully' };
}
