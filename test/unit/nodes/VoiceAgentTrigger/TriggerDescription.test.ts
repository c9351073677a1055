/**
 * The trigger's panel as the editor shows it: the subtitle (evaluated the way the editor does, with
 * n8n-workflow's getSimpleParameterValue), the notice telling where the Production URL goes, and
 * the option labels.
 */
import { NodeHelpers, Workflow, type INode, type INodeParameters, type INodeTypes } from 'n8n-workflow';

import { platformSubtitle, SAMPLES_URL, triggerProperties } from '../../../../nodes/VoiceAgentTrigger/TriggerDescription';
import { VoiceAgentTrigger } from '../../../../nodes/VoiceAgentTrigger/VoiceAgentTrigger.node';
import { triggerNodeWith } from '../../helpers/triggerNode';

const trigger = new VoiceAgentTrigger();
const nodeTypes = { getByName: () => trigger, getByNameAndVersion: () => trigger, getKnownTypes: () => ({}) } as unknown as INodeTypes;

const nodeWith = (parameters: INodeParameters): INode => triggerNodeWith(parameters);

/** The canvas subtitle, as the editor computes it (workflows store's getNodeSubtitle). */
function subtitleFor(parameters: INodeParameters): unknown {
	const node = nodeWith(parameters);
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(node, trigger.description.subtitle!, 'internal', {});
}

/** The parameters the editor shows for these values, in order (n8n's own displayOptions check). */
function shownFor(parameters: INodeParameters): string[] {
	return triggerProperties
		.filter((property) => property.type !== 'hidden')
		.filter((property) => NodeHelpers.displayParameter(parameters, property, nodeWith(parameters), trigger.description))
		.map((property) => property.name);
}

const PLATFORMS = { agntix: 'Agntix', elevenlabs: 'ElevenLabs Agents', layercode: 'Layercode', retell: 'Retell', speaknode: 'SpeakNode', vapi: 'Vapi', other: 'Other (Generic)' };

describe('subtitle', () => {
	test.each(Object.entries(PLATFORMS))('%s shows as %s', (platform, name) => {
		expect(subtitleFor({ platform })).toBe(name);
	});

	test('the default platform shows its name too', () => {
		expect(subtitleFor({})).toBe('Agntix');
	});

	test('is the node description’s subtitle, built from the Platform options', () => {
		expect(trigger.description.subtitle).toBe(platformSubtitle());
		const platform = triggerProperties.find((property) => property.name === 'platform')!;
		const offered = Object.fromEntries((platform.options ?? []).map((option) => ['value' in option ? option.value : '', option.name]));
		expect(offered).toEqual(PLATFORMS);
	});
});

describe('production URL notice', () => {
	const WHERE = {
		agntix: /into Agntix as the URL of a webhook endpoint/,
		layercode: /into Layercode as your agent’s webhook URL/,
		retell: /into Retell as the webhook URL/,
		speaknode: /into SpeakNode as the URL of your webhook subscription/,
		vapi: /into Vapi as the Server URL/,
		other: /into your platform’s webhook settings/,
	};

	test.each(Object.entries(WHERE))('%s: one notice, first in the panel, saying where the URL goes', (platform, where) => {
		const shown = shownFor({ platform });
		expect(shown[0]).toBe('productionUrlNotice');
		const notices = triggerProperties.filter(
			(property) =>
				property.name === 'productionUrlNotice' &&
				NodeHelpers.displayParameter({ platform }, property, nodeWith({ platform }), trigger.description),
		);
		expect(notices).toHaveLength(1);
		expect(notices[0]).toMatchObject({ type: 'notice', default: '' });
		expect(notices[0].displayName).toMatch(/^Publish the workflow \(n8n 1\.x: activate it\), then paste this node’s Production URL/);
		expect(notices[0].displayName).toMatch(where);
	});

	test.each(Object.keys(WHERE))('%s: the notice links the sample items for mock data, opening in a new tab', (platform) => {
		const notice = triggerProperties.find(
			(property) =>
				property.name === 'productionUrlNotice' && NodeHelpers.displayParameter({ platform }, property, nodeWith({ platform }), trigger.description),
		);
		expect(notice?.displayName).toContain(
			'paste a <a href="https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent/tree/main/docs/samples" target="_blank">sample item</a> as mock data.',
		);
		expect(SAMPLES_URL).toBe('https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent/tree/main/docs/samples');
	});

	test('is not saved with the node (notices carry no value)', () => {
		const saved = NodeHelpers.getNodeParameters(trigger.description.properties, { platform: 'layercode' }, false, false, null, trigger.description);
		expect(Object.keys(saved ?? {})).not.toContain('productionUrlNotice');
	});
});

describe('option labels', () => {
	test('the Stripe-style verification reads as a name, its format in the description', () => {
		const verification = triggerProperties.find(
			(property) => property.name === 'verification' && property.displayOptions?.show?.platform?.includes('other'),
		)!;
		const option = verification.options!.find((candidate) => 'value' in candidate && candidate.value === 'stripeStyle');
		expect(option).toMatchObject({ name: 'Stripe-Style Signature' });
		expect((option as { description?: string }).description).toContain('t=…,v1=…');
	});
});

describe('defaults taken from the registry', () => {
	const propertyShown = (name: string, parameters: INodeParameters) =>
		triggerProperties.find(
			(property) =>
				property.name === name && NodeHelpers.displayParameter(parameters, property, nodeWith(parameters), trigger.description),
		);

	test('Events: every event for every platform, except Vapi’s call lifecycle only (it sends each speech update too)', () => {
		for (const platform of Object.keys(PLATFORMS)) {
			expect({ platform, default: propertyShown('events', { platform })?.default }).toEqual({
				platform,
				default: platform === 'vapi' ? ['session.started', 'session.updated', 'session.ended'] : ['*'],
			});
		}
	});

	test('Timestamp Tolerance: 300 s, ElevenLabs 1800 s (its SDK’s 30 minutes)', () => {
		expect(propertyShown('toleranceSeconds', { platform: 'agntix', verification: 'standardWebhooks' })?.default).toBe(300);
		expect(propertyShown('toleranceSeconds', { platform: 'layercode', verification: 'layercodeSignature' })?.default).toBe(300);
		expect(propertyShown('toleranceSeconds', { platform: 'retell', verification: 'retellSignature' })?.default).toBe(300);
		expect(propertyShown('toleranceSeconds', { platform: 'elevenlabs', verification: 'elevenlabsSignature' })?.default).toBe(1800);
		expect(propertyShown('toleranceSeconds', { platform: 'other', verification: 'bodyHmac' })).toBeUndefined();
	});

	test('Other (Generic) keeps the six events every platform offered before platforms had their own lists', () => {
		const values = (propertyShown('events', { platform: 'other' })?.options ?? []).map((option) => ('value' in option ? option.value : ''));
		expect(values.sort()).toEqual(
			['*', 'other', 'session.started', 'session.updated', 'session.ended', 'turn.message', 'turn.welcome', 'client.data'].sort(),
		);
	});
});
