// n8n's own rules for community node packages (what verified packages are held to), over the
// shipped code: everything under nodes/ and credentials/, as n8n's scanner sees it (tests live in
// test/unit/). Tests and scripts are not shipped and are not linted by these rules.
import tseslint from 'typescript-eslint';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

export default [
	{ ignores: ['dist/**', 'node_modules/**'] },
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser: tseslint.parser },
	},
	{ ...n8nCommunityNodesPlugin.configs.recommended, files: ['nodes/**/*.ts', 'credentials/**/*.ts'] },
];
