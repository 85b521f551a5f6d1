import { colorEnabled, palette, PLAIN, type ColorMode, type Palette } from './color.ts';

/** How output for people is shown: the terminal's width (tables fit it) and the colours. */
export interface View {
  /** Display columns available; undefined: not a terminal, nothing is fitted. */
  width?: number;
  color: Palette;
}

export const PLAIN_VIEW: View = { color: PLAIN };

/** The view for stdout: its width when it is a terminal, colour as colorEnabled decides. */
export function stdoutView(io: { isTty: boolean; columns?: number; env: NodeJS.ProcessEnv }, mode?: ColorMode): View {
  return {
    ...(io.isTty && io.columns !== undefined && io.columns > 0 ? { width: io.columns } : {}),
    color: palette(colorEnabled(mode, io.env, io.isTty)),
  };
}
