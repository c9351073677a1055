// `npm run send -- --platform <agntix|elevenlabs|speaknode|layercode|retell|vapi|standard> --event <name> --url <u> --secret <s>`
// Sends a correctly signed sample event (from test/fixtures) and prints the answer; for
// Layercode turns it prints each SSE frame as it arrives, with its arrival time.
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { bodyHmac, signElevenLabs, signLayercode, signRetell, signStandardWebhook, signVapiHmac, type Headers } from '../test/support/sign';
import { readTurn } from '../test/support/sse';

const FIXTURES = resolve(__dirname, '..', '..', 'test', 'fixtures');
const PLATFORM_FIXTURES: Record<string, string> = {
	agntix: 'agntix',
	elevenlabs: 'elevenlabs',
	speaknode: 'speaknode',
	layercode: 'layercode',
	retell: 'retell',
	vapi: 'vapi',
	standard: 'agntix',
};
const DEFAULT_EVENTS: Record<string, string> = {
	agntix: 'session.ended',
	elevenlabs: 'post_call_transcription',
	speaknode: 'ConversationComplete',
	layercode: 'message',
	retell: 'call_analyzed',
	vapi: 'end-of-call-report',
	standard: 'session.ended',
};
/** Vapi's server credentials: the trigger's Verification for Vapi must match (Bearer Token is its default). */
const VAPI_AUTH: Record<string, (body: string, secret: string) => Headers> = {
	bearer: (_body, secret) => ({ authorization: `Bearer ${secret}` }),
	hmac: (body, secret) => signVapiHmac(body, secret),
	secret: (_body, secret) => ({ 'x-vapi-secret': secret }),
};

/** Prints the usage: after a problem, to stderr with exit code 2; asked for (--help), to stdout. */
function usage(problem?: string): never {
	(problem ? console.error : console.log)(`${problem ? `${problem}\n\n` : ''}usage: npm run send -- --platform <agntix|elevenlabs|speaknode|layercode|retell|vapi|standard> --url <webhook URL> --secret <secret>
                       [--event <name>] [--header <signature header, SpeakNode>] [--text <what the caller says>]
                       [--auth <bearer|hmac|secret: Vapi's credential, default bearer>]
events: ${Object.entries(PLATFORM_FIXTURES)
		.map(([platform, folder]) => `\n  ${platform}: ${readdirSync(join(FIXTURES, folder)).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).join(', ')}`)
		.join('')}`);
	process.exit(problem ? 2 : 0);
}

function sign(platform: string, body: string, secret: string, header: string, auth: string): Headers {
	switch (platform) {
		case 'vapi':
			return VAPI_AUTH[auth](body, secret);
		case 'agntix':
			return signStandardWebhook(body, secret, { id: `msg_${randomUUID()}` });
		case 'standard':
			return signStandardWebhook(body, secret, { id: `msg_${randomUUID()}`, names: 'webhook' });
		case 'layercode':
			return signLayercode(body, secret);
		case 'elevenlabs':
			return signElevenLabs(body, secret);
		case 'retell':
			// --secret is the Retell API key (the one with the webhook badge).
			return signRetell(body, secret);
		default:
			return { [header]: bodyHmac(body, secret) };
	}
}

async function main() {
	let values;
	try {
		({ values } = parseArgs({
			options: {
				platform: { type: 'string' },
				event: { type: 'string' },
				url: { type: 'string' },
				secret: { type: 'string' },
				header: { type: 'string', default: 'x-speaknode-signature' },
				text: { type: 'string' },
				auth: { type: 'string', default: 'bearer' },
				help: { type: 'boolean', short: 'h' },
			},
		}));
	} catch (error) {
		usage((error as Error).message); // an unknown or incomplete option
	}
	if (values.help) usage();
	const platform = values.platform ?? usage('--platform is required');
	if (!PLATFORM_FIXTURES[platform]) usage(`unknown platform "${platform}"`);
	const url = values.url ?? usage('--url is required');
	const secret = values.secret ?? usage('--secret is required');
	const auth = values.auth ?? 'bearer';
	if (platform === 'vapi' && !Object.hasOwn(VAPI_AUTH, auth)) usage(`unknown --auth "${auth}" (bearer, hmac or secret)`);
	const event = values.event ?? DEFAULT_EVENTS[platform];
	let payload: Record<string, unknown>;
	try {
		payload = JSON.parse(readFileSync(join(FIXTURES, PLATFORM_FIXTURES[platform], `${event}.json`), 'utf8'));
	} catch {
		usage(`no sample event "${event}" for ${platform}`);
	}
	// A fresh turn id each time, as the platform would send.
	if (typeof payload.turn_id === 'string') payload.turn_id = `turn_${randomUUID()}`;
	if (values.text !== undefined && typeof payload.text === 'string') payload.text = values.text;
	const body = JSON.stringify(payload);
	const headers = sign(platform, body, secret, values.header ?? 'x-speaknode-signature', auth);

	console.log(`POST ${url}  (${platform} ${event}, ${body.length} bytes)`);
	const answer = await readTurn(url, body, headers, {
		onFrame: (frame) => console.log(`${String(frame.at.toFixed(0)).padStart(6)} ms  ${JSON.stringify(frame.data)}`),
	});
	console.log(`HTTP ${answer.status} ${answer.headers.get('content-type') ?? ''}`);
	if (answer.frames.length === 0) console.log(answer.text);
	console.log(`done in ${answer.endedAt.toFixed(0)} ms`);
	process.exitCode = answer.status < 300 ? 0 : 1;
}

main().catch((error: unknown) => {
	// One line, not a stack trace: usually n8n is not running at that URL.
	const cause = (error as { cause?: { message?: string } }).cause?.message;
	console.error(`send failed: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
	process.exit(1);
});
