// Diagnostic preload for n8n: logs every expression n8n renders and every isolate acquisition,
// with a short stack, to /tmp/expr-trace.log (one JSON object per line). Not part of the package.
// npm run bench:turn -- --rounds 10 --warmup 5 --isolates --env N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true \
//   --env NODE_OPTIONS=--require=$PWD/scripts/bench/trace-expressions.cjs
const Module = require('module');
const fs = require('fs');
const original = Module._load;
let patched = false;
const log = (kind, detail) =>
	fs.appendFileSync(
		'/tmp/expr-trace.log',
		JSON.stringify({ at: Date.now(), pid: process.pid, kind, detail, stack: new Error().stack.split('\n').slice(3, 12).map((l) => l.trim()).join(' | ') }) + '\n',
	);
Module._load = function (request) {
	const loaded = original.apply(this, arguments);
	if (!patched && request === 'n8n-workflow' && loaded && loaded.Expression) {
		patched = true;
		const proto = loaded.Expression.prototype;
		const render = proto.renderExpression;
		proto.renderExpression = function (expression, data) {
			log('render', String(expression).slice(0, 160));
			return render.call(this, expression, data);
		};
		const acquire = proto.acquireIsolate;
		proto.acquireIsolate = async function () {
			log('acquire', '');
			return acquire.call(this);
		};
	}
	return loaded;
};
