import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { secretProblem } from '../shared/verification/schemes';

/**
 * The Voice Agent Webhook Secret API credential's test, run by n8n when the credential is saved.
 * A signing secret can only be proven by a signed delivery, so this checks offline what would
 * refuse every delivery: no secret, a whsec_ secret that is not Standard Webhooks base64, or a key
 * too short for any scheme. The method-specific check runs when the workflow is published.
 */
export async function testWebhookSecretCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const raw = credential.data?.webhookSecret;
	const secret = typeof raw === 'string' ? raw.trim() : '';
	if (secret === '') {
		return { status: 'Error', message: 'Paste the Webhook Signing Secret the platform shows for this webhook' };
	}
	// whsec_… is the Standard Webhooks (Svix) form; anything else is used as text by every other scheme.
	const problem = secret.startsWith('whsec_') ? secretProblem({ key: 'standardWebhooksSecret' }, secret) : secretProblem({ key: 'textSecret' }, secret);
	if (problem) return { status: 'Error', message: problem };
	return { status: 'OK', message: 'The secret is well-formed; each delivery’s signature is checked against it' };
}
