import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';

export const FIXTURES_DIR = join(__dirname, '..', '..', 'fixtures');

/** A fixture's bytes as stored, e.g. `fixtureText('agntix/session.ended')`. */
export function fixtureText(name: string): string {
	return readFileSync(join(FIXTURES_DIR, `${name}.json`), 'utf8');
}

/** A fresh parsed copy of a fixture (safe to mutate). */
export function fixture(name: string): IDataObject {
	return JSON.parse(fixtureText(name)) as IDataObject;
}

/** Every fixture of one platform, by name (`layercode/message`…). */
export function fixtureNames(platform: string): string[] {
	return readdirSync(join(FIXTURES_DIR, platform))
		.filter((file) => file.endsWith('.json'))
		.map((file) => `${platform}/${file.slice(0, -'.json'.length)}`)
		.sort();
}
