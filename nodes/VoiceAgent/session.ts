import { NodeApiError, NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { fetchSession, fetchTranscript, type ApiCredentialType } from '../shared/platformApi';
import { platformById } from '../shared/platforms';

/** Get / Get Transcript, once per input item. */
export async function executeSession(
	context: IExecuteFunctions,
	operation: string,
	credentialType: ApiCredentialType,
): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const platformId = context.getNodeParameter('platform', itemIndex) as unknown;
			const platform = platformById(platformId);
			if (!platform?.api) {
				throw new NodeOperationError(context.getNode(), `Platform ${JSON.stringify(String(platformId)).slice(0, 40)} has no session API this version can read. Choose the Platform again.`, { itemIndex });
			}
			const ref = {
				sessionId: String(context.getNodeParameter('sessionId', itemIndex) ?? '').trim(),
				agentId: platform.api.needsAgentId ? String(context.getNodeParameter('agentId', itemIndex) ?? '').trim() : undefined,
			};
			if (ref.sessionId === '') {
				throw new NodeOperationError(context.getNode(), 'Session ID is empty', { itemIndex });
			}
			if (ref.agentId === '') {
				throw new NodeOperationError(context.getNode(), `Agent ID is empty: ${platform.displayName} needs it to find the session`, {
					itemIndex,
				});
			}
			const json =
				operation === 'getTranscript'
					? { sessionId: ref.sessionId, transcript: await fetchTranscript(context, credentialType, platform, ref) }
					: await fetchSession(context, credentialType, platform, ref);
			output.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!context.continueOnFail()) {
				throw error instanceof NodeApiError || error instanceof NodeOperationError
					? error
					: new NodeOperationError(context.getNode(), error as Error, { itemIndex });
			}
			output.push({ json: { error: (error as Error).message }, pairedItem: { item: itemIndex } });
		}
	}
	return output;
}
