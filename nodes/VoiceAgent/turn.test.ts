import { NodeOperationError, type IExecuteFunctions, type INode } from 'n8n-workflow';

import { executeTurn, hasStreamingSupport, NO_STREAMING_SUPPORT } from './turn';

const NODE = { name: 'Speak', type: 'n8n-nodes-voice-agent.voiceAgent' } as INode;

/** An execute context as an n8n without streaming responses (before 1.106) hands it: no isStreaming/sendChunk. */
function contextWithoutStreaming(): IExecuteFunctions {
	return {
		getNode: () => NODE,
		getInputData: () => [{ json: {} }],
		continueOnFail: () => false,
	} as unknown as IExecuteFunctions;
}

function streamingContext(sent: string[]): IExecuteFunctions {
	return {
		getNode: () => NODE,
		getInputData: () => [{ json: {} }],
		continueOnFail: () => false,
		getParentNodes: () => [],
		getNodeParameter: (name: string) => (name === 'text' ? 'Hello.' : undefined),
		isStreaming: () => true,
		sendChunk: async (_type: string, _item: number, content: string) => {
			sent.push(content);
		},
	} as unknown as IExecuteFunctions;
}

describe('a turn on an n8n without streaming responses', () => {
	it('is detected from the missing isStreaming/sendChunk', () => {
		expect(hasStreamingSupport(contextWithoutStreaming())).toBe(false);
		expect(hasStreamingSupport(streamingContext([]))).toBe(true);
	});

	it('fails with words that say what is missing and what to do, not "isStreaming is not a function"', async () => {
		const run = executeTurn(contextWithoutStreaming(), 'speak');
		await expect(run).rejects.toBeInstanceOf(NodeOperationError);
		await expect(executeTurn(contextWithoutStreaming(), 'speak')).rejects.toThrow(NO_STREAMING_SUPPORT);
		expect(NO_STREAMING_SUPPORT).toMatch(/n8n 1\.106 or newer/);
	});

	it('streams as before where n8n has it', async () => {
		const sent: string[] = [];
		const [item] = await executeTurn(streamingContext(sent), 'speak');
		expect(sent).toEqual([JSON.stringify({ type: 'response.tts', content: 'Hello.' })]);
		expect(item.json.turnEvents).toEqual([{ type: 'response.tts', content: 'Hello.', turn_id: null }]);
	});
});
