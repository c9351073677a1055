// Copies the node and credential icons (light and dark SVG variants) next to the compiled code.
const { src, dest, task } = require('gulp');

task('build:icons', () =>
	src(['nodes/**/*.svg', 'credentials/**/*.svg'], { base: '.', encoding: false }).pipe(dest('dist')),
);
