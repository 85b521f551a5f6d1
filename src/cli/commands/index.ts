import type { CommandModule } from '../context.ts';
import { sweepCommand } from './sweep.ts';
import { fingerprintsCommand } from './fingerprints.ts';
import { policyCommand } from './policy.ts';
import { outboxCommand, receiveCommand } from './report.ts';
import { devicesCommand, diffCommand, showCommand, sweepsCommand } from './inventory.ts';
import { daemonCommand } from './daemon.ts';
import { identifyCommand } from './identify.ts';
import { centralCommand } from './central.ts';

/** Every CLI command, in the order `camsweep --help` lists them. */
export const COMMANDS: readonly CommandModule[] = [sweepCommand, identifyCommand, fingerprintsCommand, policyCommand, outboxCommand, receiveCommand, centralCommand, devicesCommand, showCommand, sweepsCommand, diffCommand, daemonCommand];
