/**
 * Which stages a build needs (BuildKit's rule, which the classic builder lacks): the target
 * stage (the last, or `--target`) and every stage it reaches through `FROM <stage>`,
 * `COPY --from=<stage>` and `RUN --mount=from=<stage>`. The rest are skipped.
 */
import type { Dockerfile, Stage } from './dockerfile/instructions.js';

export interface StagePlan {
  build: Stage[];
  skipped: Stage[];
}

/** Stage names a stage refers to (unexpanded; a name that is no stage is an image). */
export function stageRefs(stage: Stage): string[] {
  const refs = [stage.from.image];
  for (const s of stage.steps) {
    for (const f of s.flags.from ?? []) refs.push(f);
    for (const m of s.flags.mount ?? []) {
      const from = /(?:^|,)from=([^,]+)/.exec(m);
      if (from) refs.push(from[1]);
    }
  }
  return refs;
}

export function planStages(df: Dockerfile, target: string | undefined, indexOf: (name: string) => number | undefined): StagePlan {
  const last = target !== undefined ? (indexOf(target) as number) : df.stages.length - 1;
  const need = new Set<number>();
  const visit = (i: number) => {
    if (need.has(i)) return;
    need.add(i);
    for (const r of stageRefs(df.stages[i])) {
      const j = indexOf(r);
      if (j !== undefined && j < i) visit(j);
    }
  };
  visit(last);
  const build = df.stages.filter((s) => need.has(s.index));
  const skipped = df.stages.filter((s) => !need.has(s.index) && s.index < last);
  return { build, skipped };
}
