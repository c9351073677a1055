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
import { header, type IncomingHttpHeaders } from './verifyRequest';

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
	};
}

/** JWKS documents are public: fetched with n8n's plain HTTP helper, briefly, never with credentials. */
function jwksFetcher(context: Context) {
	return async (url: string): Promise<unknown> =>
		await context.helpers.httpRequest({ method: 'GET', url, json: true, timeout: 5_000 });
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

/** What is wrong with the JWT credential's key material, if anything (checked at publish time). */
export async function jwtConfigurationProblem(context: IHookFunctions): Promise<string | undefined> {
	const settings = await credentialSettings(context);
	if (!settings) return 'Bearer JWT verification needs a Voice Agent JWT API credential';
	return await checkJwtKeyMaterial(settings, jwksFetcher(context));
}

/**
 * The JWT credential's test: the inbound key material parses (or the JWKS URL answers with
 * keys), and, when an access token is set, the platform API accepts it.
 */
export async function testJwtCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	// Credential tests get no other HTTP helper than `request` from n8n (ICredentialTestFunctions).
	// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
	const request = async (options: object): Promise<unknown> => await this.helpers.request(options);
	const settings = jwtSettings(data);
	const keyConfigured = Boolean(settings.secret || settings.publicKey || settings.jwksUrl);
	if (keyConfigured) {
		const problem = await checkJwtKeyMaterial(settings, async (url) => await request({ uri: url, json: true, timeout: 5_000 }));
		if (problem) return { status: 'Error', message: `Inbound token key: ${problem}` };
	}
	const token = typeof data.accessToken === 'string' ? data.accessToken.trim() : '';
	if (token !== '' && typeof data.baseUrl === 'string' && data.baseUrl !== '') {
		try {
			await request({
				uri: `${data.baseUrl.replace(/\/+$/, '')}/api/v1/chat/sessions?limit=1`,
				headers: { Authorization: `Bearer ${token}` },
				json: true,
				timeout: 10_000,
			});
		} catch (error) {
			const status = (error as { statusCode?: number }).statusCode;
			return {
				status: 'Error',
				message:
					status === 401
						? 'The platform refused the access token (401): it may have expired, or belong to another environment'
						: `The platform API could not be reached with this token: ${status ? `HTTP ${status}` : (error as Error).message}`,
			};
		}
	}
	if (!keyConfigured && token === '') return { status: 'Error', message: 'Set an access token, an inbound token key, or both' };
	return { status: 'OK', message: 'Connection tested successfully' };
}
