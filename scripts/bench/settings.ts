// The n8n settings the benchmarks' --matrix compares, each on its own fresh n8n (issue 13).

export interface N8nSetting {
	/** Short name for the table. */
	name: string;
	/** n8n environment for this setting (on top of the benchmark's own and --env). */
	env: Record<string, string>;
	/** Said beside the figures, e.g. n8n's own warning. */
	note?: string;
}

const LAZY = { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' };
const POOL_2 = { N8N_EXPRESSION_ENGINE_POOL_SIZE: '2' };

/** bench:turn --matrix: n8n 2.x's expression-engine settings that change a turn's cost. */
export const TURN_MATRIX: readonly N8nSetting[] = [
	{ name: 'defaults (vm engine)', env: {} },
	{ name: 'lazy acquire', env: { ...LAZY } },
	{ name: 'pool size 2', env: { ...POOL_2 } },
	{ name: 'lazy + pool 2', env: { ...LAZY, ...POOL_2 } },
	{ name: 'legacy engine', env: { N8N_EXPRESSION_ENGINE: 'legacy' }, note: 'insecure, deprecated by n8n' },
];

/** bench:deliveries --matrix: n8n's defaults and lazy acquisition. */
export const DELIVERY_MATRIX: readonly N8nSetting[] = [
	{ name: 'defaults (vm engine)', env: {} },
	{ name: 'lazy acquire', env: { ...LAZY } },
];

/** A setting's environment under the benchmark's own (first) and the user's --env (last: it wins). */
export const settingEnv = (own: Record<string, string>, setting: N8nSetting, extra: Record<string, string>) => ({
	...own,
	...setting.env,
	...extra,
});
