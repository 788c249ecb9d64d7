"""The kernel's array layout: indices of state, patient and arm fields, and the codes it uses."""

# event kinds (as in dartnk.sim.loop)
E_SCREEN, E_MANUF, E_WITHDRAW, E_TRY, E_INF, E_DLT, E_PERSIST, E_WINDOW, E_RESPONSE, E_COMMITTEE = range(10)
# phases and arm status (as in dartnk.sim.fast_engine)
P_ESC, P_SEL, P_EXP, P_CLOSED = 0, 1, 2, 3
ENROLLING, AWAITING, CLOSED = 0, 1, 2
# proposal kinds and escalation actions
K_ESC, K_SEL, K_STOP = 0, 1, 2
A_SAME, A_ESC, A_DEESC, A_MTD, A_STOP = 0, 1, 2, 3, 4
ACTION_CODES = {"treat_same": A_SAME, "escalate": A_ESC, "deescalate": A_DEESC, "declare_mtd": A_MTD,
                "stop_no_tolerable_dose": A_STOP}
STOP_TOX, STOP_FUT = 1, 2
POLICY = {"fewest_treated": 0, "longest_waiting": 1, "round_robin": 2}
STAGGER = {"every_cohort": 0, "first_cohort_per_arm": 1, "first_cohort_per_level": 2}

# scalar state S[...]
S_PHASE, S_DAY, S_SEQ, S_COMMITTED, S_LAST, S_NCLOSED, S_EXARM, S_EXLEVEL, S_EXSIZE, S_EXN, S_EXSTOP, S_EXACTIVE, \
    S_WN, S_PN, S_ENR, S_HSEQ, S_OVER, S_STATUS = range(18)
# loop counters (outcome fields), stored after the scalar state
(T_SELECTED, T_EXP_LEVEL, T_EXP_N, T_EXP_DLT_EVAL, T_EXP_DLTS, T_EXP_RESP_EVAL, T_EXP_RESP, T_EXP_STOP, T_EXP_STOP_N,
 T_N_TREATED, T_N_SCREENED, T_N_SF, T_N_REFUSED, T_N_LOST, T_N_DLTS, T_DURATION, T_SEL_DAY, T_FINISHED, T_CRS3,
 T_ICANS3, T_PFS6, T_OS12) = range(18, 40)
N_S = 40
# patient fields P[k, ...]
(F_ARM, F_LEVEL, F_EXP, F_COHORT, F_ASSIGNED, F_PRODUCT, F_PRODUCT_DAY, F_DAY0, F_INF, F_DLT, F_WCLOSED, F_OFF,
 F_REPLACED, F_RESP, F_PERS, F_ENROLLED) = range(16)
N_F = 16
# arm fields AR[a, ...]
R_STATUS, R_LEVEL, R_CNUM, R_CLEVEL, R_CSIZE, R_CN, R_STAGGER, R_OPEN, R_MTD, R_LOAD, R_ACTIVE = range(11)
N_R = 11
NONE = -1
STATUS_OK, STATUS_MORE_ARRIVALS, STATUS_UNSUPPORTED = 0, 1, 2
