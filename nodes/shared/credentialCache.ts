import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

import { remember } from './boundedMap';

// Reading a credential in webhook() costs n8n 2.41 an expression isolate (~30 ms of CPU) on
// every delivery, before the caller hears anything. A live turn cannot afford that, so each
// process keeps what it read for a short while: a secret changed in n8n applies within
// CACHE_MS. Forged requests never refresh it, so they cannot make n8n read credentials faster.
const CACHE_MS = 30_000;
const CACHE_LIMIT = 64;
const cache = new Map<string, { readAt: number; data: ICredentialDataDecryptedObject }>();

/** The node's credential of this type, read at most once per CACHE_MS per process. */
export async function cachedCredentials(
	context: IWebhookFunctions,
	type: string,
	nowMs = Date.now(),
): Promise<ICredentialDataDecryptedObject | undefined> {
	const ref = context.getNode().credentials?.[type];
	if (!ref?.id) return undefined;
	const key = `${context.getWorkflow().id}:${type}:${ref.id}`;
	const cached = cache.get(key);
	if (cached && nowMs - cached.readAt < CACHE_MS) return cached.data;
	const data = await context.getCredentials(type).catch(() => undefined);
	if (!data) return undefined;
	return remember(cache, key, { readAt: nowMs, data }, CACHE_LIMIT).data;
}
