/**
 * Hosts on this machine, as `URL#hostname` gives them (lower case, IPv6 in brackets): the only
 * places where a key or token may go over plain http (local tests, a sidecar), never across a network.
 */
export const isLoopbackHost = (hostname: string): boolean =>
	/^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i.test(hostname);
