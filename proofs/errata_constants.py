"""Constants and inequalities inside proofs, checked one by one.

- li-ding-sun Lemma 8, (87): |f_k(x) - f(x)| = |x + k + 1| / (k+1)^2 <= 2/(k+1)
  on [-k-1, k+1], then '< eps for any k > max{K, eps/2 - 1}'. That threshold does
  not follow from the line before (2/(k+1) < eps needs k > 2/eps - 1): with
  f(x) = -x, S = [-1, 1] (K = 0), eps = 1/10 and k = 1, |f_1(1) - f(1)| = 3/4.
- lin-sun-zhang Theorem 4 (SAME, p_1 = 1): the expansion of 2 L near T_0 and its
  constants are right, but the proof twice concludes 'L >= 1' where it bounded
  2 L; at T_0 itself L = 1/2. Intended: 2 L >= 1 = 2 L(T_0).
- li-ding-sun Theorem 7, Step 1: data with x_1 > ... > x_N and
  x_1 / x_N < (t_0 + delta) / t_0 may be negative, and then (50) fails.
- li-ding-sun, the Property PT example: 'f(u', v') > f(-1, 0)' near (-1, 0) must
  read '>=' (f(u, 0) = 1 for all u).
- li-ding-sun Lemma 6, (22)-(24): the bound |sin + cos| <= sqrt 2 and the two
  thresholds, on an instance.
"""
import sympy as sp

from losscert import compile_loss, conv1d
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lds:Lemma 8 (87)', 'instance'),
          ('lsz:Theorem 4 SAME (valley bound)', 'full'),
          ('lds:Theorem 7 (Step 1)', 'instance'),
          ('lds:Property PT example (strict inequality)', 'full'),
          ('lds:Lemma 6 (22)-(24)', 'instance')]
Q = sp.Rational

# -- li-ding-sun Lemma 8 ------------------------------------------------------------------------
lemma8 = Proof("li-ding-sun Lemma 8: the threshold of (87)", source=source("lds", "Lemma 8 (87)"))
x, k = sp.symbols("x k")
f = -x                                                        # continuous and non-increasing
f_k = f - (x + k + 1) / (k + 1) ** 2                          # (84) on [-k-1, k+1]
eps = Q(1, 10)
lemma8.inequality(1, sp.Max(0, eps / 2 - 1), strict=True,
                  text="k = 1 > max{K, eps/2 - 1} = max{0, -19/20} (S = [-1, 1], K = 0, eps = 1/10)")
lemma8.inequality(eps, sp.Abs((f_k - f).subs({x: 1, k: 1})), strict=True,
                  text="x = 1 in S, k = 1: eps = 1/10 > |f_1(1) - f(1)| = 3/4", expect="refuted",
                  note="paper: (87) claims |f_k(x) - f(x)| < eps for every k > max{K, eps/2 - 1}")
lemma8.inequality(20, 2 / eps - 1, strict=True, text="corrected threshold: k = 20 > 2/eps - 1 = 19")
lemma8.inequality(eps, sp.Abs((f_k - f).subs({x: 1, k: 20})), strict=True,
                  text="corrected: eps = 1/10 > |f_20(1) - f(1)| = 22/441")
lemma8.inequality(eps, Q(2, 21), strict=True, text="corrected: eps > 2/(k+1) = 2/21 for k = 20")

# -- lin-sun-zhang Theorem 4, SAME mode, the valley bound ---------------------------------------------
same = Proof("lin-sun-zhang Theorem 4 (SAME): the bound near T_0",
             source=source("lsz", "Theorem 4 SAME (valley bound)"))
a = sp.Symbol("a", positive=True)
e1, e2, e3, e4, d1, d2, u2, u4 = sp.symbols("epsilon1:5 delta1 delta2 u2 u4")
U = sp.Matrix([[e1, u2 + e2], [4 / a + e3, u4 + e4]])
F = sp.Matrix([[d1, a + d2], [0, d1]])
printed = ((e1 * d1 - 1) ** 2 + (e1 * (a + d2) + (u2 + e2) * d1) ** 2 + (4 / a + e3) ** 2 * d1 ** 2
           + (e3 * (a + d2) + 4 * d2 / a + (u4 + e4) * d1) ** 2)
same.identity(sum(v ** 2 for v in U * F - sp.diag(1, 4)), printed,
              text="2 L(U_eps, w_delta) expands as printed (every a > 0, eps, delta, u_2, u_4)")
r3 = sp.Symbol("r")                                          # a eps_3 = r^2 - 1/2 covers every eps_3 >= -0.5/a
same.inequality((4 + r3 ** 2 - Q(1, 2)) ** 2, 10, certificate=[(1, r3 ** 2), (7, r3), (Q(9, 4), 1)],
                text="(a eps_3 + 4)^2 >= 10 for every a eps_3 >= -1/2, so (4/a + eps_3)^2 >= 10/a^2 when "
                     "|eps_3| <= 0.5/a (a sum of squares in r, a eps_3 = r^2 - 1/2)")
E, D = sp.symbols("E D")                                      # E = a eps_1, D = delta_1 / a
same.inequality(Q(16, 25) * E ** 2 + 10 * D ** 2, 2 * sp.sqrt(Q(32, 5)) * E * D,
                certificate=[(1, Q(4, 5) * E - sp.sqrt(10) * D)],
                text="(0.8 a)^2 eps_1^2 + 10 delta_1^2 / a^2 >= 2 sqrt(6.4) eps_1 delta_1 (a square)")
same.inequality(2 * sp.sqrt(Q(32, 5)), 2, text="2 sqrt(6.4) >= 2, so 1 - 2 eps_1 delta_1 + ... >= 1")
net = conv1d(2, 2, "SAME", channels=1, d_y=2)
loss = compile_loss(net, [[1, 0], [0, 1]], [[1, 0], [0, 4]])
t0 = {"k1_1": 0, "k1_2": 1, "c1_1 -> y1": 0, "c1_2 -> y1": 0, "c1_1 -> y2": 4, "c1_2 -> y2": 0}
same.loss_value(loss, t0, "1/2", text="at T_0 (a = 1, no perturbation) L = 1/2")
same.inequality(Q(1, 2), 1, expect="refuted", text="'L(U_eps, w_delta) >= 1' at T_0: 1/2 >= 1",
                note="typo: the proof concludes 'L >= 1' where the line before bounds 2 L (2 L >= 1)")
same.local_minimum(loss, t0, text="corrected: 2 L >= 1 = 2 L(T_0) near T_0 (T_0's point is a local minimum)")

# -- li-ding-sun Theorem 7, Step 1 -----------------------------------------------------------------
step1 = Proof("li-ding-sun Theorem 7, Step 1: (50) needs positive data", source=source("lds", "Theorem 7 (Step 1)"))
t0_, delta = 1, 1
neg = [-1, -2, -3]
step1.inequality(neg[0], neg[1], strict=True, text="x = (-1, -2, -3): x_1 > x_2")
step1.inequality(neg[1], neg[2], strict=True, text="x_2 > x_3")
step1.inequality(Q(t0_ + delta, t0_), Q(neg[0], neg[2]), strict=True,
                 text="x_1 / x_3 = 1/3 < (t_0 + delta) / t_0 = 2 (t_0 = delta = 1)")
u = [Q(t0_) / v for v in neg]
step1.inequality(u[1] * neg[0], t0_, strict=True, expect="refuted",
                 text="(50a), n = 1 < i = 2: u_2 x_1 = 1/2 > t_0",
                 note="gap: Step 1 allows x_N < 0, where (50) fails; the construction needs x_N > 0")
pos = [Q(3, 2), Q(5, 4), 1]
up = [Q(t0_) / v for v in pos]
for i in range(3):
    for n in range(i):
        step1.inequality(up[i] * pos[n], t0_, strict=True,
                         text=f"corrected (x = (3/2, 5/4, 1) > 0): u_{i + 1} x_{n + 1} = {up[i] * pos[n]} > t_0")
        step1.inequality(t0_ + delta, up[i] * pos[n], strict=True,
                         text=f"corrected: u_{i + 1} x_{n + 1} < t_0 + delta")

# -- li-ding-sun, the Property PT example ------------------------------------------------------------
pt = Proof("li-ding-sun, the Property PT example: '>' must read '>='",
           source=source("lds", "Property PT example (strict inequality)"))
uu, v, rr = sp.symbols("u v r")
fuv = (1 - uu * v ** 2) ** 2
pt.identity(fuv.subs(v, 0), 1, text="f(u, 0) = 1 = f(-1, 0) for every u: points (u', 0) near (-1, 0) do not "
                                     "have f(u', v') > f(-1, 0)",
            note="typo: 'f(u', v') > f(-1, 0) = 1' must read '>=' (the minimum is non-strict, as the text says)")
pt.inequality(fuv.subs(uu, -rr ** 2) - 1, 0, certificate=[(2, rr * v), (1, (rr * v) ** 2)],
              text="corrected: f(-r^2, v) - 1 = 2 (r v)^2 + (r v)^4 >= 0, so f >= 1 where u <= 0")

# -- li-ding-sun Lemma 6, (22)-(24) ----------------------------------------------------------------
l6 = Proof("li-ding-sun Lemma 6: (22)-(24)", source=source("lds", "Lemma 6 (22)-(24)"))
S, C = sp.symbols("S C")                                      # S = sin x, C = cos x, S^2 + C^2 = 1
l6.identity(2 * (S ** 2 + C ** 2) - (S + C) ** 2, (S - C) ** 2,
            text="(22): 2 (S^2 + C^2) - (S + C)^2 = (S - C)^2 >= 0 with S = sin x, C = cos x, so |sin x + cos x| "
                 "<= sqrt 2")
l6.inequality(14, sp.sqrt(2) / (eps * 1) - 1, strict=True, text="s = 1, eps = 1/10: k = 14 > sqrt2/(eps s) - 1")
l6.inequality(eps, sp.sqrt(2) / 15, strict=True, text="(22): sqrt2 / (s (k + 1)) = sqrt2/15 < eps")
l6.inequality(eps, Q(1, 21) + eps / 2, text="(24): k = 20 > 2/eps - 1 = 19 gives 1/(k+1) + eps/2 <= eps")
PROOFS = [lemma8, same, step1, pt, l6]
