/**
 * docs/samples/: what the Voice Agent Trigger outputs per platform, for n8n's "set mock data" on
 * the trigger, so a user can map fields before a real call. Each file is rebuilt here from the
 * test fixtures by a signed delivery through the trigger's own webhook(), and must equal what is
 * committed. After changing the trigger or a fixture, regenerate them with:
 *
 *   UPDATE_SAMPLES=1 npm run test:unit -- samples
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { bodyHmac, signElevenLabs, signLayercode, signRetell, signStandardWebhook } from '../../support/sign';
import { fixtureText } from '../helpers/fixtures';
import { deliverToTrigger } from '../helpers/webhookDelivery';
import { resetDeduplication } from '../../../nodes/VoiceAgentTrigger/deduplication';

const SAMPLES_DIR = join(__dirname, '..', '..', '..', 'docs', 'samples');
const UPDATE = process.env.UPDATE_SAMPLES === '1';

// Made-up secrets, only for signing here: a sample is built from a verified delivery, as in production.
const SVIX_SECRET = 'whsec_c2FtcGxlcy1vbmx5LW5vdC1hLXJlYWwtc2VjcmV0';
const TEXT_SECRET = 'samples-only-not-a-real-secret';

interface Sample {
	/** docs/samples/<file> */
	file: string;
	/** test/fixtures/<fixture>.json */
	fixture: string;
	parameters: INodeParameters;
	secret: string;
	sign: (body: string) => Record<string, string>;
	/** The normalised event the sample shows. */
	event: string;
}

const svix = (id: string, names: 'svix' | 'webhook' = 'svix') => (body: string) => signStandardWebhook(body, SVIX_SECRET, { id, names });

const SAMPLES: Sample[] = [
	{
		file: 'agntix-session.ended.json',
		fixture: 'agntix/session.ended',
		parameters: { platform: 'agntix' },
		secret: SVIX_SECRET,
		sign: svix('msg_sample_agntix_session_ended'),
		event: 'session.ended',
	},
	{
		file: 'agntix-session.started.json',
		fixture: 'agntix/session.created',
		parameters: { platform: 'agntix' },
		secret: SVIX_SECRET,
		sign: svix('msg_sample_agntix_session_created'),
		event: 'session.started',
	},
	{
		file: 'elevenlabs-session.ended.json',
		fixture: 'elevenlabs/post_call_transcription',
		parameters: { platform: 'elevenlabs' },
		secret: TEXT_SECRET,
		sign: (body) => signElevenLabs(body, TEXT_SECRET),
		event: 'session.ended',
	},
	{
		file: 'layercode-turn.message.json',
		fixture: 'layercode/message',
		parameters: { platform: 'layercode' },
		secret: TEXT_SECRET,
		sign: (body) => signLayercode(body, TEXT_SECRET),
		event: 'turn.message',
	},
	{
		file: 'layercode-session.ended.json',
		fixture: 'layercode/session.end',
		parameters: { platform: 'layercode' },
		secret: TEXT_SECRET,
		sign: (body) => signLayercode(body, TEXT_SECRET),
		event: 'session.ended',
	},
	{
		file: 'speaknode-session.ended.json',
		fixture: 'speaknode/ConversationComplete',
		parameters: { platform: 'speaknode', signatureHeader: 'x-speaknode-signature' },
		secret: TEXT_SECRET,
		sign: (body) => ({ 'x-speaknode-signature': bodyHmac(body, TEXT_SECRET) }),
		event: 'session.ended',
	},
	{
		file: 'retell-session.analyzed.json',
		fixture: 'retell/call_analyzed',
		parameters: { platform: 'retell' },
		secret: TEXT_SECRET,
		sign: (body) => signRetell(body, TEXT_SECRET),
		event: 'session.analyzed',
	},
	{
		file: 'vapi-session.ended.json',
		fixture: 'vapi/end-of-call-report',
		parameters: { platform: 'vapi' },
		secret: TEXT_SECRET,
		sign: () => ({ authorization: `Bearer ${TEXT_SECRET}` }),
		event: 'session.ended',
	},
	{
		file: 'other-call.ended.json',
		fixture: 'other/call.ended',
		parameters: { platform: 'other' },
		secret: SVIX_SECRET,
		sign: svix('msg_sample_other_call_ended', 'webhook'),
		event: 'call.ended',
	},
];

/** The file's text: a JSON array of the one item, the form n8n's "Edit Output" takes. */
function sampleText(item: IDataObject): string {
	return `${JSON.stringify([item], null, 2)}\n`;
}

/** The item the trigger starts the workflow with for this sample's fixture. */
async function buildSample(sample: Sample): Promise<IDataObject> {
	resetDeduplication();
	const body = fixtureText(sample.fixture);
	const outcome = await deliverToTrigger({
		parameters: sample.parameters,
		credential: { webhookSecret: sample.secret },
		body,
		headers: sample.sign(body),
	});
	if (!outcome.item) throw new Error(`${sample.fixture}: the trigger started no execution (${outcome.status} ${JSON.stringify(outcome.answer)})`);
	return outcome.item;
}

const committed = (file: string): string | undefined => {
	try {
		return readFileSync(join(SAMPLES_DIR, file), 'utf8');
	} catch {
		return undefined;
	}
};

describe('docs/samples: the trigger output per platform, rebuilt from the fixtures', () => {
	test.each(SAMPLES.map((sample) => [sample.file, sample] as const))('%s', async (file, sample) => {
		const item = await buildSample(sample);
		expect(item).toMatchObject({ provider: sample.parameters.platform, event: sample.event });
		expect(item.warnings).toBeUndefined();
		// A made-up signing secret must never reach an item, nor could a real one.
		expect(JSON.stringify(item)).not.toContain(sample.secret);
		const text = sampleText(item);
		if (UPDATE) writeFileSync(join(SAMPLES_DIR, file), text);
		else expect({ file, text: committed(file) }).toEqual({ file, text });
	});

	test('docs/samples holds these files and its README, nothing stale', () => {
		const expected = [...SAMPLES.map((sample) => sample.file), 'README.md'].sort();
		expect(readdirSync(SAMPLES_DIR).sort()).toEqual(expected);
	});

	test('the README names every sample file', () => {
		const readme = committed('README.md') ?? '';
		for (const { file } of SAMPLES) expect(readme).toContain(`(${file})`);
	});
});

describe('buildSample refuses a delivery the trigger does not accept', () => {
	const agntix = SAMPLES[0];

	test('a wrong signature: no sample, with the trigger’s answer in the error', async () => {
		const wrong = { ...agntix, sign: (body: string) => signStandardWebhook(body, 'whsec_d3JvbmctdGVzdC1zZWNyZXQtMTIzNDU2Nzg=', { id: 'msg_x' }) };
		await expect(buildSample(wrong)).rejects.toThrow(/started no execution \(401 \{"error":"unauthorized"/);
	});

	test('an event the Events setting filters out: no sample', async () => {
		await expect(buildSample({ ...agntix, parameters: { platform: 'agntix', events: ['turn.message'] } })).rejects.toThrow(
			/started no execution \(200 \{"status":"ignored"/,
		);
	});

});
