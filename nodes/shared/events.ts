/** A normalised event, as the trigger's Events parameter offers it and its items name it. */
export interface PlatformEvent {
	/** The item's `event` and the Events option's value. */
	value: string;
	/** The Events option's name. */
	name: string;
	description?: string;
}

/**
 * Every normalised event, once. Platforms list the ones they send (with a description of their
 * own where it helps); an event name outside this list reaches the workflow as the platform sent
 * it and counts as "Other Events".
 */
export const EVENTS = {
	sessionStarted: { value: 'session.started', name: 'Session Started' },
	sessionUpdated: { value: 'session.updated', name: 'Session Updated' },
	sessionEnded: {
		value: 'session.ended',
		name: 'Session Ended',
		description: 'With the post-call analysis and transcript where the platform sends them',
	},
	sessionAnalyzed: {
		value: 'session.analyzed',
		name: 'Session Analyzed',
		description: 'The post-call analysis, sent after the session ended',
	},
	sessionFailed: { value: 'session.failed', name: 'Session Failed', description: 'The call could not be started' },
	turnMessage: {
		value: 'turn.message',
		name: 'Turn: Message',
		description: 'The caller said something; answer with the Voice Agent node',
	},
	turnWelcome: { value: 'turn.welcome', name: 'Turn: Welcome', description: 'The agent speaks first' },
	clientData: { value: 'client.data', name: 'Client Data', description: 'Data sent by the browser client' },
} satisfies Record<string, PlatformEvent>;

/** The normalised event names; anything else counts as "Other Events". */
export const KNOWN_EVENTS: ReadonlySet<string> = new Set(Object.values(EVENTS).map((event) => event.value));
