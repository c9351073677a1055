// Makes JWTs the way an identity provider does, with node:crypto alone, for the end-to-end tests.
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

const b64url = (value: object | Buffer) =>
	(Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function hs256(claims: object, secret: string, header: object = {}): string {
	const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT', ...header })}.${b64url(claims)}`;
	return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

export function rs256(claims: object, privateKey: KeyObject, kid: string): string {
	const signingInput = `${b64url({ alg: 'RS256', typ: 'JWT', kid })}.${b64url(claims)}`;
	return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

/** `alg: none`: no signature at all. */
export function unsigned(claims: object): string {
	return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

/** An RSA key pair and its public half as a JWKS document. */
export function rsaKeySet(kid: string) {
	const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
	return { privateKey, publicKey, jwks: { keys: [jwk] } };
}
