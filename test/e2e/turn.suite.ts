// Live turns in a real n8n: the Voice Agent node's frames reach the caller as SSE while the
// workflow runs, read back with a real SSE parser and timed on arrival. One suite, run by
// turn.e2e.ts (regular mode: one n8n process) and turn.queue.e2e.ts (queue mode: the main process
// holds the caller's connection, a worker runs the nodes and relays every chunk through Redis).
import { printLogOnFailure, startN8n, type N8n, type N8nMode } from './harness';
import { chain, node, secretCredential, triggerNode, triggerPath, VOICE_AGENT_TYPE } from './workflows';
import { signLayercode } from '../support/sign';
import { readTurn, type ArrivedFrame, type ReadOptions } from '../support/sse';

const SECRET = 'layercode-webhook-secret-for-tests';
const say = (name: string, text: string) => node(name, VOICE_AGENT_TYPE, { resource: 'turn', operation: 'speak', text });
const sendData = (name: string, data: string) => node(name, VOICE_AGENT_TYPE, { resource: 'turn', operation: 'sendData', data });
const endTurn = () => node('End Turn', VOICE_AGENT_TYPE, { resource: 'turn', operation: 'endTurn' });
const layercodeTrigger = (name: string, options: Record<string, unknown> = {}) =>
	triggerNode(name, { platform: 'layercode', triggerOptions: options });

const types = (frames: Array<{ data: Record<string, unknown> }>) => frames.map((frame) => frame.data.type);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export function describeTurns(mode: N8nMode): void {
	const WORKFLOWS = {
		full: chain('wfTurnFull00001', [
			layercodeTrigger('turn-full'),
			say('Speak Wait', 'One moment, let me check.'),
			node('Wait', 'n8n-nodes-base.wait', { resume: 'timeInterval', amount: 1, unit: 'seconds' }, 1.1),
			sendData('Send Data', '={{ JSON.stringify({ crm: { tier: "gold", turn: $("Voice Agent Trigger").item.json.turnId } }) }}'),
			say('Speak Result', '=You said: {{ $("Voice Agent Trigger").item.json.text }}'),
			endTurn(),
		]),
		noEnd: chain('wfTurnNoEnd0001', [layercodeTrigger('turn-no-end'), say('Speak', 'Hello there.')]),
		failing: chain('wfTurnFailing01', [
			layercodeTrigger('turn-fail', { errorApology: 'Sorry, I could not reach our records.' }),
			say('Speak', 'Checking.'),
			node('Fail', 'n8n-nodes-base.stopAndError', { errorMessage: 'CRM unreachable' }),
		]),
		welcome: chain('wfTurnWelcome01', [
			layercodeTrigger('turn-welcome', { welcomeMessage: 'Hi, thanks for calling.' }),
			say('Speak', 'never said'),
		]),
		lifecycle: chain('wfTurnLifecyc01', [layercodeTrigger('turn-lifecycle'), say('Speak', 'nobody hears this')]),
	};

	let n8n: N8n;
	let turnCounter = 0;

	function message(text: string, type = 'message') {
		const turnId = `turn_${process.pid}_${++turnCounter}`;
		const body = JSON.stringify({ type, session_id: 'sess_1', conversation_id: 'conv_1', turn_id: turnId, text });
		return { turnId, body, headers: signLayercode(body, SECRET) };
	}

	async function turn(name: string, text: string, options?: ReadOptions, type?: string) {
		const request = message(text, type);
		const answer = await readTurn(n8n.webhookUrl(triggerPath(name)), request.body, request.headers, options);
		return { ...answer, turnId: request.turnId };
	}

	/** Queue mode: the execution ran on the worker, which n8n's own log lines on both sides say. */
	function expectRanOnWorker(executionId: string): void {
		expect(n8n.workerExecutionIds()).toContain(executionId);
		expect(n8n.workerLog()).toContain(`Worker finished execution ${executionId} (job `);
		expect(n8n.log()).toContain(`Enqueued execution ${executionId} (job `);
	}

	const guarded = (name: string, body: () => Promise<void>, timeout = 120_000) =>
		test(name, () => printLogOnFailure(n8n, body), timeout);

	describe(`live turns (${mode} mode)`, () => {
		beforeAll(async () => {
			n8n = await startN8n({ workflows: Object.values(WORKFLOWS), credentials: [secretCredential(SECRET)], mode });
			console.log(`n8n ${mode} mode started in ${n8n.timings.totalMs} ms: ${JSON.stringify(n8n.timings)}`);
		}, 600_000);

		afterAll(async () => {
			await n8n?.stop();
		});

		guarded('Speak → 1 s Wait → Send Data → Speak → End Turn: the frames, in order, the first before the Wait ends', async () => {
			const answer = await turn('turn-full', 'Am I a member?');
			expect(answer.status).toBe(200);
			expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
			expect(answer.headers.get('cache-control')).toBe('no-cache, no-transform');
			expect(answer.headers.get('x-accel-buffering')).toBe('no');
			expect(answer.headers.get('content-encoding')).toBeNull();
			expect(answer.garbage).toEqual([]);
			expect(answer.frames.map((frame) => frame.data)).toEqual([
				{ type: 'response.tts', content: 'One moment, let me check.', turn_id: answer.turnId },
				{ type: 'response.data', content: { crm: { tier: 'gold', turn: answer.turnId } }, turn_id: answer.turnId },
				{ type: 'response.tts', content: 'You said: Am I a member?', turn_id: answer.turnId },
				{ type: 'response.end', turn_id: answer.turnId },
			]);
			// The first words were on the wire a whole Wait before the data.
			const [first, data] = answer.frames;
			expect(data.at - first.at).toBeGreaterThanOrEqual(950);
			expect(answer.text.startsWith(`data: {"type":"response.tts","content":"One moment, let me check.","turn_id":"${answer.turnId}"}\n\n`)).toBe(true);
			if (mode === 'queue') {
				// The first execution of this n8n: the frames above came from nodes on the worker.
				const [execution] = await n8n.waitForExecutions(WORKFLOWS.full.id, 1);
				expect(execution.status).toBe('success');
				expectRanOnWorker(execution.id);
			}
		});

		guarded('a workflow without End Turn still ends with exactly one response.end', async () => {
			const answer = await turn('turn-no-end', 'hi');
			expect(types(answer.frames)).toEqual(['response.tts', 'response.end']);
			expect(answer.frames[1].data.turn_id).toBe(answer.turnId);
		});

		guarded('a failing node: the apology, response.error, then response.end', async () => {
			const answer = await turn('turn-fail', 'where is my order?');
			expect(answer.frames.map((frame) => frame.data)).toEqual([
				{ type: 'response.tts', content: 'Checking.', turn_id: answer.turnId },
				{ type: 'response.tts', content: 'Sorry, I could not reach our records.', turn_id: answer.turnId },
				{ type: 'response.error', error: expect.any(String), turn_id: answer.turnId },
				{ type: 'response.end', turn_id: answer.turnId },
			]);
		});

		guarded('the Welcome Message option answers session.start without an execution', async () => {
			const answer = await turn('turn-welcome', '', {}, 'session.start');
			expect(answer.frames.map((frame) => frame.data)).toEqual([
				{ type: 'response.tts', content: 'Hi, thanks for calling.', turn_id: answer.turnId },
				{ type: 'response.end', turn_id: answer.turnId },
			]);
			await sleep(1000);
			expect(await n8n.executions(WORKFLOWS.welcome.id)).toHaveLength(0);
		});

		guarded('Speak after a lifecycle event fails with words a user understands', async () => {
			const body = JSON.stringify({ type: 'session.end', session_id: 'sess_9', conversation_id: 'c9', transcript: [] });
			const response = await fetch(n8n.webhookUrl(triggerPath('turn-lifecycle')), {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...signLayercode(body, SECRET) },
				body,
			});
			expect(response.status).toBe(200);
			expect(await response.json()).toEqual({ status: 'ok' });
			const [execution] = await n8n.waitForExecutions(WORKFLOWS.lifecycle.id, 1);
			expect(execution.status).toBe('error');
			const detail = await n8n.executionData(execution.id);
			expect(detail.data.resultData.error?.message).toBe(
				'There is no live turn to answer: this execution was started by a "session.ended" event',
			);
		});

		guarded('50 callers hanging up mid-turn leave n8n answering the next turn normally', async () => {
			const hangUps = [];
			for (let caller = 0; caller < 50; caller++) {
				hangUps.push(turn('turn-full', `caller ${caller}`, { hangUpAfterFrames: 1 }));
				if (caller % 10 === 9) await Promise.all(hangUps.splice(0));
			}
			await Promise.all(hangUps);
			const health = await fetch(`${n8n.baseUrl}/healthz`);
			expect(health.status).toBe(200);
			const answer = await turn('turn-full', 'still there?');
			expect(types(answer.frames)).toEqual(['response.tts', 'response.data', 'response.tts', 'response.end']);
			expect(answer.frames[2].data.content).toBe('You said: still there?');
		}, 300_000);

		guarded('20 concurrent turns each receive only their own frames', async () => {
			const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => turn('turn-full', `question ${i}`)));
			answers.forEach((answer, i) => {
				expect(types(answer.frames)).toEqual(['response.tts', 'response.data', 'response.tts', 'response.end']);
				for (const frame of answer.frames) expect(frame.data.turn_id).toBe(answer.turnId);
				expect(answer.frames[1].data.content).toEqual({ crm: { tier: 'gold', turn: answer.turnId } });
				expect(answer.frames[2].data.content).toBe(`You said: question ${i}`);
			});
		}, 300_000);

		if (mode === 'queue') {
			guarded('with no worker the turn waits in the queue, and a new worker streams it to the waiting caller', async () => {
				await n8n.killWorker();
				const requestSentAt = performance.now();
				const arrived: ArrivedFrame[] = [];
				const pending = turn('turn-full', 'anyone there?', { onFrame: (frame) => arrived.push(frame) });
				// The main process only enqueues: without a worker nothing runs, so nothing is said.
				await sleep(3_000);
				expect(arrived).toEqual([]);
				const workerStartedAt = performance.now() - requestSentAt;
				await n8n.startWorker();
				const answer = await pending;
				expect(answer.status).toBe(200);
				expect(types(answer.frames)).toEqual(['response.tts', 'response.data', 'response.tts', 'response.end']);
				expect(answer.frames[2].data.content).toBe('You said: anyone there?');
				expect(answer.frames[0].at).toBeGreaterThan(workerStartedAt);
				expect(answer.frames[1].at - answer.frames[0].at).toBeGreaterThanOrEqual(950);
				const [latest] = await n8n.waitForExecutions(WORKFLOWS.full.id, 1);
				expect(latest.status).toBe('success');
				expectRanOnWorker(latest.id);
			}, 180_000);

			guarded('every execution of this suite ran on the worker, none in the main process', async () => {
				const all = [];
				for (const workflow of Object.values(WORKFLOWS)) {
					all.push(...(await n8n.waitForExecutions(workflow.id, 0, 60_000)));
				}
				// 1 + 1 + 1 + 1 lifecycle + 51 + 20 + 1 executions above; the welcome turn starts none.
				expect(all.length).toBeGreaterThanOrEqual(76);
				const onWorker = new Set(n8n.workerExecutionIds());
				expect(all.filter((execution) => !onWorker.has(execution.id)).map((execution) => execution.id)).toEqual([]);
			}, 120_000);
		}
	});
}
