"""Identities and constants inside li-ding-sun's proofs, and lin-sun-zhang Section 7.3's activations.

- Proposition 4, (34) and (40)-(41): the loss difference expansions (symbolic
  vectors in R^3); (41) is (40) once a^T y_hat = 0.
- Theorem 7, (67)-(69): the loss difference as a quadratic in M, its
  coefficient c_2, and c_2 < 0 for alpha in (0, 2 sigma_(2m+1) / S) (m = 1).
- Lemma 5, (17): (17b) holds for the segment g_i(t) = (1 - t) p + t q; (17a)
  prints (1 - t_2) p + q, a typo for g_i(t_2).
- Proposition 3, (28)-(29): each step of the two chains follows from
  gamma = min(alpha/2, beta) (sums of squares with alpha = 2 (gamma + p^2),
  beta = gamma + q^2).
- Lemma 8, (85)-(86): the pieces of (84) agree at -k-1 and k+1, and the middle
  piece decreases strictly.
- Theorem 5, (45): with w' = w / M the printed M v^T sigma(w' x^T / M) divides
  by M twice; the intended M v^T sigma(w x^T / M) = v^T sigma(w x^T) (leaky ReLU,
  both signs of the pre-activation, symbolic).
- lin-sun-zhang Section 7.3: Tanh, Leaky-ReLU, ELU, ReLU and the shifted sigmoid
  have sigma(0) = 0, and sigma(1) > 0 (Theorem 8's activation assumption) for all
  but the shifted sigmoid, whose value at 1 involves exp (not in the statement language).
"""
import sympy as sp

from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lds:Proposition 4 (34), (40)-(41)', 'full'),
          ('lds:Theorem 7 (67)-(69)', 'instance'),
          ('lds:Lemma 5 (17)', 'full'),
          ('lds:Proposition 3 (28)-(29)', 'full'),
          ('lds:Lemma 8 (84)-(86)', 'full'),
          ('lsz:Section 7.3 (activations)', 'instance'),
          ('lds:Theorem 5 (45)', 'full')]
Q = sp.Rational


def vec(name, n=3):
    return sp.Matrix(sp.symbols(f"{name}1:{n + 1}"))


def sq(v):
    return (v.T * v)[0]


# -- Proposition 4 ----------------------------------------------------------------------------------------
prop4 = Proof("li-ding-sun Proposition 4: (34) and (40)-(41)", source=source("lds", "Proposition 4 (34), (40)-(41)"))
y, yh, yp, a, z0 = vec("y"), vec("h"), vec("g"), vec("a"), vec("z")
prop4.identity(sq(yp - y) - sq(yh - y), sq(yp - yh) + 2 * ((yh - y).T * (yp - yh))[0],
               text="(34): E(v', w') - E(v, w) = ||y' - y_hat||^2 + 2 (y_hat - y)^T (y' - y_hat)")
M, r = sp.symbols("M r")
v1 = r * M
target = yh - M * a                                           # (32): y = y_hat - M a
printed40 = (v1 ** 2 * sq(z0) + sq(yh) + M ** 2 * sq(a) - 2 * v1 * (yh.T * z0)[0] + 2 * v1 * M * (a.T * z0)[0]
             - 2 * M * (a.T * yh)[0])
prop4.identity(sq(v1 * z0 - target), printed40, text="(40): ||v~_1 z_0 - y_hat + M a||^2 expands as printed")
printed41 = r * (sq(z0) * r + 2 * (a.T * z0)[0]) * M ** 2 - 2 * r * (yh.T * z0)[0] * M + sq(yh)
prop4.identity(printed40 - M ** 2 * sq(a), printed41 - 2 * M * (a.T * yh)[0],
               text="(41): E(v~, w~) - E(v, w) is the printed quadratic in M once a^T y_hat = 0 (E(v, w) = M^2 "
                    "||a||^2)")

# -- Theorem 7 ----------------------------------------------------------------------------------------
thm7 = Proof("li-ding-sun Theorem 7: (67)-(69) for m = 1", source=source("lds", "Theorem 7 (67)-(69)"))
al = sp.Symbol("alpha")
s1, s2, s3, h1, h2, t = sp.symbols("s1 s2 s3 h1 h2 t")
yh7, sig = sp.Matrix([h1, h2, 0]), sp.Matrix([s1, s2, s3])
e3 = sp.Matrix([0, 0, 1])
diff = sq(yh7 - M * e3 + al * M * sig) - M ** 2
thm7.identity(diff, (h1 + al * M * s1) ** 2 + (h2 + al * M * s2) ** 2 + M ** 2 * (al * s3 - 1) ** 2 - M ** 2,
              text="(67): E(v*, w*) - E(v, w) as printed (y_hat in P_2, sigma(w* x) in P_3)")
S = s1 ** 2 + s2 ** 2 + s3 ** 2
c2 = S * al ** 2 - 2 * s3 * al
thm7.identity(diff, c2 * M ** 2 + 2 * al * (h1 * s1 + h2 * s2) * M + h1 ** 2 + h2 ** 2,
              text="(68): the coefficient of M^2 is c_2 = [sum sigma_i^2 + sigma_(2m+1)^2] alpha^2 - "
                   "2 sigma_(2m+1) alpha")
thm7.identity(c2.subs(al, 2 * s3 * t / S), -4 * s3 ** 2 * t * (1 - t) / S,
              text="(69): alpha = t 2 sigma_(2m+1) / S with 0 < t < 1 gives c_2 = -4 sigma_(2m+1)^2 t (1 - t) / S < 0")

# -- Lemma 5 --------------------------------------------------------------------------------------------
lemma5 = Proof("li-ding-sun Lemma 5: (17)", source=source("lds", "Lemma 5 (17)"))
p, q = vec("p", 2), vec("q", 2)
t1, t2, ts = sp.symbols("t1 t2 tstar")


def g(tt):
    return (1 - tt) * p + tt * q


lemma5.identity(g(t2), (ts - t2) / (ts - t1) * g(t1) + (t2 - t1) / (ts - t1) * g(ts),
                text="(17b): g_i(t_2) is the convex combination of g_i(t_1) and g_i(t*) with the printed weights")
lemma5.identity(g(t2), (1 - t2) * p + q, expect="refuted", text="(17a) as printed: g_i(t_2) = (1 - t_2) p'_i + p_(i+1)",
                note="typo: (17a) drops the factor t_2 of p_(i+1) (the segment (15) is (1 - t) p'_i + t p_(i+1))")
lemma5.identity(g(t2), (1 - t2) * p + t2 * q, text="corrected (17a): g_i(t_2) = (1 - t_2) p'_i + t_2 p_(i+1)")

# -- Proposition 3 ----------------------------------------------------------------------------------------
prop3 = Proof("li-ding-sun Proposition 3: the constants of (28)-(29)", source=source("lds", "Proposition 3 (28)-(29)"))
gam, pp, qq = sp.symbols("gamma p q")
alpha, beta = 2 * (gam + pp ** 2), gam + qq ** 2               # gamma <= alpha/2 and gamma <= beta
prop3.inequality(beta / 3, gam / 3, certificate=[(Q(1, 3), qq)], text="(28a): gamma/3 <= beta/3 (gamma <= beta)")
prop3.inequality(beta - gam / 3, 2 * beta / 3, certificate=[(Q(1, 3), qq)],
                 text="(28a)-(28b): 2 beta/3 <= -gamma/3 + beta")
prop3.inequality(2 * alpha / 3, gam / 3 + alpha / 2, certificate=[(Q(1, 3), pp)],
                 text="(29a): gamma/3 + alpha/2 <= 2 alpha/3 (gamma <= alpha/2)")
prop3.inequality(alpha - gam / 3, 5 * alpha / 6, certificate=[(Q(1, 3), pp)],
                 text="(29a)-(29b): 5 alpha/6 <= alpha - gamma/3")

# -- Lemma 8 -----------------------------------------------------------------------------------------------
lemma8 = Proof("li-ding-sun Lemma 8: (84)-(86)", source=source("lds", "Lemma 8 (84)-(86)"))
x, k, F1, F2, x1, x2 = sp.symbols("x k F1 F2 x1 x2")
left = -x - k - 1 + F1                                        # F1 = f(-k-1), F2 = f(k+1)
right = -x + k + 1 + F2 - 2 / (k + 1)
lemma8.identity(left.subs(x, -k - 1), F1, text="(85a): the left piece equals f(-k-1) = f_k(-k-1) at x = -k-1")
lemma8.identity(right.subs(x, k + 1), F2 - (k + 1 + k + 1) / (k + 1) ** 2,
                text="(85b): the right piece equals the middle piece f(k+1) - (2k+2)/(k+1)^2 at x = k+1")
f1, f2 = sp.symbols("f1 f2")                                  # f(x_1), f(x_2) with f non-increasing
lemma8.identity((f1 - (x1 + k + 1) / (k + 1) ** 2) - (f2 - (x2 + k + 1) / (k + 1) ** 2),
                (f1 - f2) + (x2 - x1) / (k + 1) ** 2,
                text="(86): f_k(x_1) - f_k(x_2) = (f(x_1) - f(x_2)) + (x_2 - x_1)/(k+1)^2, whose second term is > 0 "
                     "for x_1 < x_2 and whose first is >= 0")

# -- Theorem 5, (45) -------------------------------------------------------------------------------------
thm5 = Proof("li-ding-sun Theorem 5: (45)", source=source("lds", "Theorem 5 (45)"))
Mp, zp = sp.symbols("M z", positive=True)                    # M > 0; z > 0 and -z < 0 are the two branches
for z_, branch in ((zp, "z > 0"), (-zp, "z < 0")):
    slope = 1 if branch == "z > 0" else Q(1, 10)              # leaky ReLU(1/10), positively homogeneous
    printed45 = Mp * slope * (z_ / Mp) / Mp                   # sigma(w' x / M) with w' = w / M
    thm5.identity(printed45, slope * z_, expect="refuted",
                  text=f"(45) as printed, {branch}: M sigma((1/M) w' x) = sigma(w x) with w' = w / M",
                  note="typo: (45) writes sigma((1/M) w' x^T) with w' = w/M (and E(v, w') for E(v', w')); "
                       "intended sigma((1/M) w x^T) = sigma(w' x^T)" if branch == "z > 0" else "")
    thm5.identity(Mp * slope * (z_ / Mp), slope * z_, text=f"corrected (45), {branch}: M sigma(w x / M) = sigma(w x)")

# -- lin-sun-zhang Section 7.3 --------------------------------------------------------------------------------
acts = Proof("lin-sun-zhang Section 7.3: the activations meet Theorem 8's assumption",
             source=source("lsz", "Section 7.3 (activations)"))
for name in ("tanh", "leaky_relu(1/10)", "elu", "relu", "shifted_sigmoid"):
    acts.identity(f"{name}(0)", 0, text=f"{name}: sigma(0) = 0")
    if name != "shifted_sigmoid":             # its value at 1 involves exp, which statements cannot hold
        acts.inequality(f"{name}(1)", 0, strict=True, text=f"{name}: sigma(1) > 0, so sigma(R) != {{0}}")
PROOFS = [prop4, thm7, lemma5, prop3, lemma8, thm5, acts]
