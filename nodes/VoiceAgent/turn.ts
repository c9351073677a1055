import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { SSE_HEADERS, sseFrame, type TurnEvent } from '../shared/sse';

const TURN_EVENTS = new Set(['turn.message', 'turn.welcome']);
/**
 * Layercode `data` (the browser client's sendClientResponseData): answered with one plain JSON
 * reply, which Send Data sets and End Turn sends at once. There is no speech on this path.
 */
const DATA_EVENT = 'client.data';
const DATA_OPERATIONS = new Set(['sendData', 'endTurn']);

/** The trigger item of this execution, if a Voice Agent Trigger started it. */
function triggerItem(context: IExecuteFunctions, itemIndex: number): IDataObject | undefined {
	const trigger = context
		.getParentNodes(context.getNode().name)
		.find((node) => node.type.endsWith('.voiceAgentTrigger'));
	if (!trigger) return undefined;
	// Right after the trigger (Trigger → Speak, the usual shape) the main input is the trigger's one
	// item: read it without building n8n's data proxy, which costs about 0.2 ms before the frame.
	// A tool called inside an AI Agent's step carries the agent's source but no main input.
	const direct = comesFrom(context, trigger.name) ? context.getInputData(0, NodeConnectionTypes.Main)[0]?.json : undefined;
	const json: unknown = direct ?? context.getWorkflowDataProxy(itemIndex).$(trigger.name).first()?.json;
	return json !== null && typeof json === 'object' ? (json as IDataObject) : undefined;
}

/** Whether this node's source is `nodeName` (false when n8n has none: a manual run, some tool calls). */
function comesFrom(context: IExecuteFunctions, nodeName: string): boolean {
	try {
		return context.getInputSourceData(0)?.previousNode === nodeName;
	} catch {
		return false;
	}
}

/** The turn this node answers; a clear error when there is none. */
function turnOf(
	context: IExecuteFunctions,
	operation: string,
	itemIndex: number,
	streaming: boolean,
): { turnId: string | null; isData: boolean } {
	const trigger = triggerItem(context, itemIndex);
	const isData = trigger?.event === DATA_EVENT;
	if (isData && !DATA_OPERATIONS.has(operation)) {
		throw new NodeOperationError(context.getNode(), 'A client data event has no speech: only Send Data and End Turn answer it', {
			itemIndex,
			description:
				'Layercode forwards the reply to a "data" event to the browser client as JSON (response.data); nothing is spoken. Use Send Data to set that JSON, End Turn to send it at once.',
		});
	}
	if (trigger && !isData && !TURN_EVENTS.has(trigger.event as string)) {
		throw new NodeOperationError(
			context.getNode(),
			`There is no live turn to answer: this execution was started by a "${String(trigger.event)}" event`,
			{
				itemIndex,
				description:
					'Speak, Send Data and End Turn answer a Layercode "message" or "session.start" (turn.message, turn.welcome); Send Data and End Turn also answer its "data" (client.data). Filter the trigger’s events, or put this node on the branch that handles turns.',
			},
		);
	}
	if (!trigger && !streaming) {
		throw new NodeOperationError(context.getNode(), 'There is no live turn to answer', {
			itemIndex,
			description:
				'This node answers a conversation turn received by a Voice Agent Trigger (Layercode platform). Put it after that trigger.',
		});
	}
	return { turnId: typeof trigger?.turnId === 'string' ? trigger.turnId : null, isData };
}

/** A data event's reply without a stream (a manual run): the last Send Data's JSON, else {}. */
function dataReplyBody(turnEvents: TurnEvent[]): string {
	const data = turnEvents.filter((event) => event.type === 'response.data').at(-1);
	return JSON.stringify(data?.content ?? {});
}

function eventFor(context: IExecuteFunctions, operation: string, itemIndex: number): TurnEvent {
	switch (operation) {
		case 'speak':
			return { type: 'response.tts', content: context.getNodeParameter('text', itemIndex) as string };
		case 'sendData': {
			const data = context.getNodeParameter('data', itemIndex);
			if (typeof data !== 'string') return { type: 'response.data', content: data as IDataObject };
			try {
				return { type: 'response.data', content: JSON.parse(data) as IDataObject };
			} catch {
				throw new NodeOperationError(context.getNode(), 'Data (JSON) is not valid JSON', { itemIndex });
			}
		}
		default:
			return { type: 'response.end' };
	}
}

/** Shown when the n8n running this node has no streaming responses at all. */
export const NO_STREAMING_SUPPORT =
	'This version of n8n cannot stream responses: Speak, Send Data and End Turn need n8n 1.106 or newer (the "streaming" webhook response mode). Update n8n.';

/**
 * Whether this n8n has streaming responses: `isStreaming()` and `sendChunk()` arrived with the
 * `streaming` webhook response mode (n8n 1.106); before that they are simply absent.
 */
export function hasStreamingSupport(context: IExecuteFunctions): boolean {
	const candidate = context as Partial<Pick<IExecuteFunctions, 'isStreaming' | 'sendChunk'>>;
	return typeof candidate.isStreaming === 'function' && typeof candidate.sendChunk === 'function';
}

/**
 * Speak / Send Data / End Turn. While the trigger streams, each event goes out the moment this
 * node runs; otherwise (a manual run, no stream) the turn's events travel on the items as
 * `turnEvents`, and End Turn sends them as one complete SSE body (for a client data event: the
 * last Send Data's JSON).
 */
export async function executeTurn(context: IExecuteFunctions, operation: string): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	if (!hasStreamingSupport(context)) {
		throw new NodeOperationError(context.getNode(), NO_STREAMING_SUPPORT, {
			description:
				'n8n gained isStreaming() and sendChunk(), which these operations use to answer a live turn, with its streaming response mode. The Session operations do not need them.',
		});
	}
	const streaming = context.isStreaming();
	const output: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const { turnId, isData } = turnOf(context, operation, itemIndex, streaming);
			const event = eventFor(context, operation, itemIndex);
			const previous = Array.isArray(items[itemIndex].json.turnEvents)
				? (items[itemIndex].json.turnEvents as TurnEvent[])
				: [];
			const turnEvents = [...previous, { ...event, turn_id: turnId }];
			if (streaming) {
				// The trigger's bridge reads this as a turn event, not as words, because n8n stamps the
				// chunk with this node's name (metadata.nodeName), which no other node's output can set.
				await context.sendChunk('item', itemIndex, JSON.stringify(event));
			} else if (operation === 'endTurn' && isData) {
				await context.sendResponse({
					body: dataReplyBody(turnEvents),
					headers: { 'Content-Type': 'application/json; charset=utf-8' },
					statusCode: 200,
				});
			} else if (operation === 'endTurn') {
				await context.sendResponse({
					body: turnEvents.map((turnEvent) => sseFrame(turnEvent, turnId)).join(''),
					headers: SSE_HEADERS,
					statusCode: 200,
				});
			}
			output.push({ json: { ...items[itemIndex].json, turnEvents }, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!context.continueOnFail()) {
				throw error instanceof NodeOperationError
					? error
					: new NodeOperationError(context.getNode(), error as Error, { itemIndex });
			}
			output.push({
				json: { ...items[itemIndex].json, error: (error as Error).message },
				pairedItem: { item: itemIndex },
			});
		}
	}
	return output;
}
