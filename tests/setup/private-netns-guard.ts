/**
 * Loaded by vitest before every test file: refuses to run any test outside the private
 * network namespace that `npm test` makes (scripts/private-netns.sh). A test that sends a
 * probe can then never reach the machine's real network, even when someone runs
 * `npx vitest` by hand.
 */
import { assertPrivateNamespace } from '../lab/netns.ts';

assertPrivateNamespace();
