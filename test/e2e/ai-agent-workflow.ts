// n8n's AI Agent with n8n's OpenAI Chat Model pointed at the local OpenAI-compatible stub
// (test/support/openai-stub.ts), as the editor saves them: shared by the AI Agent e2e tests.
import { targetN8nMajor } from './harness';
import { chain, node, type NodeJson } from './workflows';
import type { StubRequest } from '../support/openai-stub';

export const OPENAI_CREDENTIAL = { id: 'openAiStubCred01', name: 'OpenAI stub' };
export const AGENT_TYPE = '@n8n/n8n-nodes-langchain.agent';
// The AI Agent's defaultVersion in n8n 2.41.1 is 3.1; n8n 1.123.81's newest is 3 (the same
// AgentV3 class, with its enableStreaming option: @n8n/n8n-nodes-langchain Agent.node.js).
export const AGENT_VERSION = targetN8nMajor() < 2 ? 3 : 3.1;
export const CHAT_MODEL_TYPE = '@n8n/n8n-nodes-langchain.lmChatOpenAi';
export const CHAT_MODEL_VERSION = 1.3; // the OpenAI Chat Model's latest version in n8n 2.41.1 and 1.123.81
export const STUB_MODEL = 'gpt-stub-1';

/** The AI Agent, prompt from the incoming item, streaming explicitly on (its default is true) unless `streaming` is false. */
export const agentNode = (prompt: string, streaming = true): NodeJson =>
	node(
		'AI Agent',
		AGENT_TYPE,
		{
			promptType: 'define',
			text: prompt,
			options: { systemMessage: 'You are a voice agent. Answer in one short sentence.', enableStreaming: streaming },
		},
		AGENT_VERSION,
	);

/** The OpenAI Chat Model on Chat Completions (not the Responses API), credential → the stub. */
export function chatModelNode(): NodeJson {
	return {
		...node(
			'OpenAI Chat Model',
			CHAT_MODEL_TYPE,
			{ model: { __rl: true, mode: 'id', value: STUB_MODEL }, responsesApiEnabled: false, options: {} },
			CHAT_MODEL_VERSION,
		),
		position: [220, 220],
		credentials: { openAiApi: OPENAI_CREDENTIAL },
	};
}

/** `nodes` run in order; the chat model hangs off the AI Agent's ai_languageModel input. */
export function withChatModel(id: string, nodes: NodeJson[]) {
	const workflow = chain(id, nodes);
	workflow.nodes.push(chatModelNode());
	workflow.connections['OpenAI Chat Model'] = {
		ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
	};
	return workflow;
}

export const openAiCredential = (baseUrl: string) => ({
	...OPENAI_CREDENTIAL,
	type: 'openAiApi',
	data: { apiKey: 'sk-stub-key', organizationId: '', url: baseUrl, header: false },
});

/** The text of the last user message of a chat-completions request (string or content parts). */
export function userText(request: StubRequest | undefined): string | undefined {
	const messages = (request?.body?.messages ?? []) as Array<{ role: string; content: unknown }>;
	const user = messages.filter((message) => message.role === 'user').at(-1);
	if (!user) return undefined;
	if (typeof user.content === 'string') return user.content;
	if (Array.isArray(user.content)) {
		return (user.content as Array<{ type?: string; text?: string }>)
			.filter((part) => part.type === 'text')
			.map((part) => part.text ?? '')
			.join('');
	}
	return undefined;
}
