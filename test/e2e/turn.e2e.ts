// Live turns, regular mode: one n8n process receives the turn and runs the nodes (see turn.suite.ts).
import { describeTurns } from './turn.suite';

describeTurns('regular');
