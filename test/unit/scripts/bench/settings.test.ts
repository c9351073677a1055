import { DELIVERY_MATRIX, settingEnv, TURN_MATRIX } from '../../../../scripts/bench/settings';

describe('TURN_MATRIX', () => {
	it('has issue 13\'s five settings, in its order', () => {
		expect(TURN_MATRIX.map((setting) => setting.env)).toEqual([
			{},
			{ N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
			{ N8N_EXPRESSION_ENGINE_POOL_SIZE: '2' },
			{ N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true', N8N_EXPRESSION_ENGINE_POOL_SIZE: '2' },
			{ N8N_EXPRESSION_ENGINE: 'legacy' },
		]);
	});

	it('marks only the legacy engine with n8n\'s warning', () => {
		expect(TURN_MATRIX.filter((setting) => setting.note).map((setting) => [setting.env, setting.note])).toEqual([
			[{ N8N_EXPRESSION_ENGINE: 'legacy' }, 'insecure, deprecated by n8n'],
		]);
	});
});

describe('DELIVERY_MATRIX', () => {
	it('is n8n\'s defaults, then lazy acquisition', () => {
		expect(DELIVERY_MATRIX.map((setting) => setting.env)).toEqual([{}, { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' }]);
	});
});

describe('settingEnv', () => {
	it('layers the benchmark\'s own env, the setting, then --env (which wins)', () => {
		const lazy = TURN_MATRIX[1];
		expect(settingEnv({ N8N_METRICS: 'true' }, lazy, {})).toEqual({ N8N_METRICS: 'true', N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' });
		expect(settingEnv({ N8N_METRICS: 'true' }, lazy, { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'false', N8N_METRICS: 'false' })).toEqual({
			N8N_METRICS: 'false',
			N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'false',
		});
	});

	it('does not change the shared setting', () => {
		settingEnv({}, TURN_MATRIX[0], { X: '1' });
		expect(TURN_MATRIX[0].env).toEqual({});
	});
});
