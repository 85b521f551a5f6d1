import { describe, expect, it } from 'vitest';
import { loadVocabulary } from '../../../src/fingerprint/vocabulary.ts';
import { buildNameIndex, tokenInfo } from '../../../src/fingerprint/names.ts';

/** The generic name matcher (src/fingerprint/names.ts) on the vocabulary in config/vendors.yaml. */
const index = buildNameIndex(loadVocabulary());
const named = (value: string, prefix = true): string[] => index.find(value, { prefix }).map((m) => m.vendor.name);

describe('name matcher', () => {
  it('finds makers stated as words, in any case, with legal suffixes and camel case', () => {
    expect(named('HIKVISION DS-2CD2142FWD-I')).toEqual(['Hikvision']);
    expect(named('Zhejiang Dahua Technology Co., Ltd.')).toContain('Dahua');
    expect(named('AvigilonOnvifNvt/2.6')).toEqual(['Avigilon']);
    expect(named('Hikvision-Webs')).toEqual(['Hikvision']);
  });

  it('reads a long name glued to a version ("Linux/4.9.94-axis5" holds Axis)', () => {
    expect(named('Linux/4.9.94-axis5, UPnP/1.0')).toContain('Axis');
  });

  it('never reads a short name that is a piece of a model code (catalogue codes of other makers)', () => {
    // corpus/models: Arecont Vision, Hikvision, Pelco, Vivotek and ACESEE codes (github:Achelics/mutil_device_recongition)
    expect(named('AV1145DN-3310-D-LG')).toEqual([]);
    expect(named('DS-3WF1000-EI-2N')).toEqual([]);
    expect(named('ES40E36-2N-X')).toEqual([]);
    expect(named('IP816A-HP')).toEqual([]);
    expect(named('AVM80')).toEqual([]);
  });

  it('still reads a short name standing as a word, or opening its chunk', () => {
    expect(named('HP LaserJet Pro M404dn')).toContain('HP');
    expect(named('HP-LaserJet-M404')).toContain('HP');
    expect(named('LG')).toEqual(['LG']);
    expect(named('2N IP Verso')).toContain('2N');
  });

  it('says where each word stands: chunk starts, glued words, chunks holding digits', () => {
    const info = tokenInfo('Linux/3.10 AVM80 HP-x');
    expect(info.tokens).toEqual(['linux', '3', '10', 'avm', '80', 'hp', 'x']);
    expect(info.chunkStart).toEqual([true, true, false, true, false, true, false]);
    expect(info.glued).toEqual([false, false, false, true, false, false, false]);
    expect(info.codeChunk).toEqual([false, true, true, true, true, false, false]);
  });
});
