// Copies what n8n reads beside the compiled code: the node and credential icons (light and dark
// SVG variants) and each node's codex (Foo.node.json next to Foo.node.js: n8n's DirectoryLoader
// reads `${nodeFile}on` for the categories, aliases and documentation links of the node panel).
const { src, dest, task } = require('gulp');

task('build:icons', () =>
	src(['nodes/**/*.svg', 'credentials/**/*.svg', 'nodes/**/*.node.json'], { base: '.', encoding: false }).pipe(dest('dist')),
);
