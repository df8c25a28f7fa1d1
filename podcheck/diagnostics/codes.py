"""The registry of diagnostic codes: every code podcheck can emit, documented once.

Codes are grouped by hundreds per stage and never reused:
0xx syntax, 1xx names and imports, 2xx fields and types, 3xx model construction,
4xx manifests (Kubernetes YAML), 5xx engine and solver.  Each entry carries the text
`podcheck explain PCnnn` prints
(what it means, a minimal failing spec, the fix); docs/diagnostics.md is generated
from this table (`python -m podcheck.diagnostics.gendocs`) and a test keeps it in sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Code:
    """One diagnostic code: `PC204`, kebab-case name, one-line summary, long docs.

    `example` is a minimal spec that triggers it; `fix` says how to repair it.
    """

    code: str
    name: str
    summary: str
    explanation: str
    example: str
    fix: str

    def __post_init__(self) -> None:
        assert self.code.startswith("PC") and len(self.code) == 5 and self.code[2:].isdigit()
        assert self.name == self.name.lower() and " " not in self.name


# NOTE(code-registry): add entries only inside your stage's section, keep each section
# sorted by code, and never renumber or reuse a code.
_ENTRIES: tuple[Code, ...] = (
    # ---- 0xx: syntax -------------------------------------------------------------
    Code(
        "PC001",
        "syntax-error",
        "a token that cannot appear where it is written",
        "The parser found a word or symbol that no rule of the `.pod` grammar allows at "
        "this point.  The help line lists what would have been accepted instead.",
        "expect ready maybe",
        "Compare the line with the syntax in docs/language.md; the expected tokens in the "
        "help line usually point at the missing or extra symbol.",
    ),
    Code(
        "PC002",
        "unexpected-character",
        "a character that is not part of the `.pod` language",
        "Names use ASCII letters, digits, `_` and inner `-`; operators and punctuation are "
        "a fixed set.  Anything else (`$`, `;`, a non-breaking space, a NUL byte, a curly "
        "quote pasted from a document) cannot start any token.",
        "deployment web { replicas: $3 }",
        "Remove or replace the character; use plain ASCII quotes and spaces.",
    ),
    Code(
        "PC003",
        "unterminated-string",
        "a string literal whose closing quote is missing",
        "A string starts with `\"` and must end with `\"` on the same line; strings cannot "
        "span lines.",
        'container app { image: "nginx:1.27 }',
        "Add the closing `\"` before the end of the line.",
    ),
    Code(
        "PC004",
        "unexpected-end-of-file",
        "the file ends in the middle of a declaration",
        "The last declaration is incomplete: the parser reached the end of the file while "
        "it still expected more (the help line says what).",
        "property ready: always",
        "Complete the declaration, or delete the unfinished part.",
    ),
    Code(
        "PC005",
        "missing-colon",
        "a field name not followed by `:`",
        "Inside a block, a field is written `name: value`.  Without the colon the name "
        "cannot be told apart from the start of a nested block (`kind name { ... }`).",
        "deployment web { replicas 3 }",
        "Insert `:` after the field name: `replicas: 3`.",
    ),
    Code(
        "PC006",
        "assignment-in-formula",
        "`=` used in a property where `==` is meant",
        "Properties are formulas, not assignments: equality is written `==` (and "
        "inequality `!=`).  A single `=` is not an operator.",
        "property up: always forall p in pods: p.phase = Running",
        "Write `==`: `p.phase == Running`.",
    ),
    Code(
        "PC007",
        "unclosed-delimiter",
        "a `{`, `[` or `(` that is never closed",
        "The file ended, or a different closing symbol appeared, while a block, map, list "
        "or parenthesis was still open.  The span points at the opening symbol most "
        "likely to be unclosed (judged by indentation); a note shows where it should have "
        "been closed.",
        "deployment web {\n  replicas: 3\n",
        "Add the matching `}`, `]` or `)`.",
    ),
    Code(
        "PC008",
        "keyword-as-name",
        "a reserved keyword used as a name",
        "The words import, property, check, expect, always, eventually, forall, exists, "
        "in, where, count, and, or, not, implies, true and false are reserved everywhere: "
        "they cannot name blocks, fields, properties or variables.  (After `.`, any word "
        "is accepted as a field, so `p.exists` works.)",
        "property p: forall in in pods: in.ready",
        "Choose another name, for example `x` or a hyphenated `in-pod`.",
    ),
    Code(
        "PC009",
        "missing-value",
        "a field with `:` but no value",
        "After `name:` a value must follow: a number, duration, quantity, percentage, "
        "string, name, range, `[list]` or `{ map }`.",
        "deployment web { replicas: }",
        "Write the value after the colon, or remove the field to get its default.",
    ),
    Code(
        "PC010",
        "arrow-operator",
        "`=>` or `->` used in a property",
        "The property language spells implication `implies` and leads-to `~>` "
        "(`P ~> Q`: whenever P holds, Q holds later).  Arrows from other languages are "
        "not operators.",
        "property p: always (a.ready => b.ready)",
        "Write `a.ready implies b.ready`, or `P ~> Q` for leads-to.",
    ),
    Code(
        "PC011",
        "invalid-number",
        "a number with an unknown suffix, or too long",
        "A number may end in a duration suffix (`ms`, `s`, `m`, `h`), a Kubernetes "
        "quantity suffix (`k`, `M`, `G`, `T`, `P`, `E`, `Ki`, `Mi`, `Gi`, `Ti`, `Pi`, "
        "`Ei`, or an exponent such as `e3`) or `%`; nothing else may follow the digits.  "
        "Integers in formulas are limited to 4000 digits.",
        "behavior slow { startup: 5sec }",
        "Use one of the suffixes: `5s`, `4Gi`, `500m`, `50%`.",
    ),
    Code(
        "PC012",
        "chained-operator",
        "a comparison or `~>` chained like `a < b < c`",
        "Comparisons and leads-to are non-associative: `a < b < c` and `P ~> Q ~> R` have "
        "no meaning of their own.",
        "property p: always 1 <= count(p in pods where p.ready) <= 3",
        "Write `a < b and b < c`; split a chain of `~>` into several properties.",
    ),
    Code(
        "PC013",
        "field-outside-block",
        "a field written at the top level of a file",
        "Only declarations (`import`, blocks, `property`, `check`, `expect`) may appear "
        "at the top level; every field belongs to a block.",
        "replicas: 3",
        "Move the field into the block it configures, as in "
        "`deployment web { replicas: 3 }`.",
    ),
    Code(
        "PC014",
        "unmatched-delimiter",
        "a `}`, `]` or `)` with nothing to close",
        "A closing symbol appeared with no matching opening symbol before it, usually an "
        "extra `}` after a block.",
        "deployment web { replicas: 3 } }",
        "Remove the extra closing symbol, or add the opening one it was meant to close.",
    ),
    Code(
        "PC015",
        "invalid-encoding",
        "a file that is not valid UTF-8",
        "`.pod` files are read as UTF-8 text (a leading byte-order mark is allowed).  A "
        "byte sequence that is not UTF-8 usually means a binary file or another encoding.",
        "(a file containing the byte 0xff)",
        "Save the file as UTF-8, or check that the right file was given.",
    ),
    Code(
        "PC016",
        "nesting-too-deep",
        "an expression or value nested more than 100 levels deep",
        "Each operator, block, list or map adds a level (parentheses do not); later "
        "stages walk the tree recursively, so depth is capped at 100 levels.",
        "property p: " + "-" * 101 + "1",
        "Split a long formula into several properties, or flatten a deeply nested value.",
    ),
    Code(
        "PC017",
        "token-too-long",
        "a single token (string, comment, name or number) is absurdly long",
        "No token of a `.pod` file needs to be long: strings are images and label values, "
        "names are Kubernetes names.  A token longer than the limit (64 KiB) is refused "
        "when the lexer reaches it, so that a runaway literal cannot make the parser use "
        "memory out of proportion to the file.",
        'container app { image: "xxxxxxxx...(100 000 characters)..." }',
        "Shorten the token; a long comment can be split over several lines.",
    ),
    # ---- 1xx: names and imports --------------------------------------------------
    Code(
        "PC101",
        "unknown-block-kind",
        "a block whose kind does not exist where it is written",
        "Every block starts with its kind (`deployment`, `container`, `pdb`, ...) and each "
        "kind may only appear in certain places: `container` inside a pod template, `node` "
        "inside `cluster`, and so on.",
        "deploymnet web { template { container app {} } }",
        "Correct the spelling, or move the block to where it belongs; the help line "
        "suggests the closest kind allowed there.",
    ),
    Code(
        "PC102",
        "unknown-field",
        "a field that the enclosing block does not have",
        "Each block kind has a fixed set of fields (see docs/language.md).  A misspelt "
        "field would otherwise be silently ignored and its default used instead.",
        "deployment web { replicsa: 3  template { container app {} } }",
        "Correct the spelling (the help line suggests the closest field), or remove it.",
    ),
    Code(
        "PC103",
        "duplicate-name",
        "two declarations of the same kind share a name",
        "Workloads, templates, behaviour profiles, nodes, PDBs, environments, properties, "
        "and the containers and volumes of one pod must have distinct names; so must the "
        "definitions brought in by imports.  At most one environment may be unnamed.",
        "pod a { container app {} }\npod a { container app {} }",
        "Rename one of them; the note points at the first declaration.",
    ),
    Code(
        "PC104",
        "duplicate-field",
        "a field or single block given twice in one block",
        "A field such as `replicas` may be written once per block; so may the blocks that "
        "stand for one value (`template`, `resources`, a probe, an inline `behavior`).",
        "deployment web { replicas: 2  replicas: 3  template { container app {} } }",
        "Keep one of them; the note points at the first.",
    ),
    Code(
        "PC105",
        "unknown-reference",
        "a reference to a name that is not declared",
        "Names used as values must be declared: `template: NAME`, `behavior: NAME`, "
        "`volumeMounts`, nodes in `drain`, environments in `include`, the workload in "
        "`pods(NAME)`, and built-in check arguments.",
        "pod a { container app { behavior: slow } }",
        "Declare the name (e.g. `behavior slow { startup: 30s }`) or correct the spelling.",
    ),
    Code(
        "PC106",
        "unknown-property",
        "an `expect` names a property that does not exist",
        "`expect NAME holds|violated` must name a `property` of the spec or a built-in check.",
        "pod a { container app {} }\nexpect ready-always holds",
        "Declare `property ready-always: ...`, or correct the name.",
    ),
    Code(
        "PC107",
        "unknown-builtin-check",
        "`check NAME` names no built-in check",
        "`check` enables one of the built-in checks listed in docs/language.md "
        "(`init-order`, `budget-respected`, `eventually-ready`, ...).",
        "pod a { container app {} }\ncheck init-ordr",
        "Use one of the built-in names; the help line suggests the closest.",
    ),
    Code(
        "PC108",
        "unbound-name",
        "a name in a property formula that is neither bound nor declared",
        "Inside a formula a bare name must be a variable bound by `forall`, `exists` or "
        "`count`, a node, or a bare pod.",
        "pod a { container app {} }\nproperty p: always q.ready",
        "Bind the variable (`forall q in pods: q.ready`) or correct the spelling.",
    ),
    Code(
        "PC109",
        "wrong-kind-reference",
        "a name refers to a declaration of the wrong kind",
        "Some references need a particular kind of object: `job-completes(NAME)` a job, "
        "`containers(p)` a pod variable, `pods(NAME)` a workload.",
        "deployment web { template { container app {} } }\ncheck job-completes(web)",
        "Refer to an object of the expected kind.",
    ),
    Code(
        "PC110",
        "import-not-found",
        "an imported file does not exist",
        "A quoted import is a path relative to the importing file; a dotted import "
        "`env.rolling-drain` names a bundled model `models/env/rolling-drain.pod`.",
        'import "shared/nodes.pod"',
        "Correct the path or the dotted name; the notes say where podcheck looked.",
    ),
    Code(
        "PC111",
        "import-cycle",
        "files import each other in a cycle",
        "Imports must form a tree (or a DAG): a file that imports itself, directly or "
        "through other files, is rejected; the notes show every hop of the cycle.",
        '# a.pod\nimport "b.pod"\n# b.pod\nimport "a.pod"',
        "Move the shared declarations into a third file that both import.",
    ),
    Code(
        "PC112",
        "unreadable-file",
        "a spec file cannot be read",
        "The file given on the command line, or named by an `import`, is missing or "
        "cannot be opened (permissions, an invalid path).  A directory or device is "
        "PC117, a file over the size limit PC118, a too-long path PC119, a symlink loop "
        "PC120, undecodable text PC015.",
        "(a path that does not exist passed as the spec)",
        "Pass the path of an existing, readable `.pod` file.",
    ),
    Code(
        "PC113",
        "block-name",
        "a block lacks a required name or has one it cannot take",
        "Some blocks need a name (`deployment web`, `container app`), others take none "
        "(`cluster`, `resources`, an inline `template` or `behavior`).",
        "deployment { template { container app {} } }",
        "Add the name, or remove it.",
    ),
    Code(
        "PC114",
        "duplicate-expect",
        "two `expect` lines for the same property",
        "Each property has one expected outcome.",
        "pod a { container app {} }\ncheck init-order\nexpect init-order holds\n"
        "expect init-order violated",
        "Keep one of them.",
    ),
    Code(
        "PC115",
        "include-cycle",
        "named environments include each other in a cycle",
        "`include` adds the disruptions of named environments; the includes must not loop.",
        "environment a { include: [b] }\nenvironment b { include: [a] }",
        "Remove one of the includes.",
    ),
    Code(
        "PC116",
        "builtin-arguments",
        "a built-in check is given arguments it does not take",
        "Some built-in checks take no argument (`init-order`, `no-deadlock`); the others "
        "take optional names of the objects they apply to.",
        "pod a { container app {} }\ncheck init-order(a)",
        "Remove the arguments.",
    ),
    Code(
        "PC117",
        "not-a-regular-file",
        "a spec path names a directory, a FIFO, a device or a socket",
        "podcheck reads specs only from regular files: it refuses a directory, a named "
        "pipe (which could block forever), a character or block device (`/dev/zero` "
        "never ends) and a socket, whether the path is given on the command line or in an "
        "`import`.  The file is stat-ed before it is opened, so nothing is read from it.",
        'import "."   # the directory of this very file',
        "Name the `.pod` file itself; to check input from a pipe, save it to a file first.",
    ),
    Code(
        "PC118",
        "input-too-large",
        "a spec file is larger than the input size limit",
        "Spec files are small; a file larger than the limit (8 MiB by default, "
        "`LoadOptions.max_input_size`) is refused before it is read whole, so that a huge "
        "or runaway file cannot exhaust memory.",
        "(a 20 MB file passed as the spec)",
        "Split the spec into files that import each other, or raise the limit.",
    ),
    Code(
        "PC119",
        "path-too-long",
        "a spec path, or one name in it, is longer than the system allows",
        "The operating system refused the path (ENAMETOOLONG): the whole path is longer "
        "than PATH_MAX or one of its names is longer than NAME_MAX (often 255 bytes).  "
        "For a dotted import every dot is a directory level, so each part is a name.",
        "import \"aaaa...aaaa.pod\"   # a name of 300 characters",
        "Shorten the file or directory names, or the dotted import.",
    ),
    Code(
        "PC120",
        "symlink-loop",
        "a spec path goes through symbolic links that form a loop",
        "Resolving the path followed symbolic links that point back at each other "
        "(ELOOP), so it names no file.",
        "(a.pod -> b.pod -> a.pod, passed as the spec)",
        "Repair the links so that the path ends at a regular file.",
    ),
    Code(
        "PC121",
        "unknown-imported-object",
        "a `behavior-of` block names a workload or container the imported manifests lack",
        "`behavior-of NAME { container C { ... } }` sets the behaviour of a container of a "
        "workload read from an imported Kubernetes manifest (`import \"k8s/app.yaml\"`).  "
        "NAME must be the `metadata.name` of a workload of those manifests (a workload "
        "declared in the spec itself sets its behaviour in its own `container` blocks), "
        "and C one of its containers, init containers or sidecars.",
        "behavior-of web { container nginx { crashes: 0 } }   # no manifest imported",
        "Use a workload and container name from the manifests (the notes list them, at "
        "their place in the YAML).",
    ),
    # ---- 2xx: fields and types ---------------------------------------------------
    Code(
        "PC201",
        "wrong-value-type",
        "a field's value has the wrong type",
        "Each field takes one type of value: an integer, a duration (`10s`), a percentage, "
        "a quantity, a name, a list or a map (see docs/language.md).",
        "pod a { container app { livenessProbe { periodSeconds: 10s } } }",
        "Write the value in the expected form, e.g. `periodSeconds: 10`.",
    ),
    Code(
        "PC202",
        "value-out-of-range",
        "a number outside the range its field allows",
        "Counts cannot be negative, periods must be positive, percentages are at most "
        "100%, ports lie in 1..65535, and a range `lo..hi` needs lo <= hi.",
        "pod a { container app { readinessProbe { periodSeconds: 0 } } }",
        "Use a value inside the range given in the message.",
    ),
    Code(
        "PC203",
        "unknown-enum-value",
        "a field takes one of a fixed set of values, and this is not one",
        "Fields such as `restartPolicy`, `outcome`, `drainMode` and "
        "`unhealthyPodEvictionPolicy` accept a fixed list of words (case-sensitive).",
        "pod a { restartPolicy: Sometimes  container app {} }",
        "Use one of the listed values; the help line suggests the closest.",
    ),
    Code(
        "PC204",
        "unknown-state-name",
        "a formula compares a field with a state name it cannot take",
        "Enumerated fields have fixed states: pod `phase` (Pending, Running, Succeeded, "
        "Failed, Unknown), container `state` (Waiting, Running, Terminated), node `state` "
        "(Ready, Cordoned, Down).",
        "pod a { container app {} }\n"
        "property p: always forall q in pods: forall c in containers(q): c.state != Runing",
        "Use one of the listed states.",
    ),
    Code(
        "PC205",
        "invalid-quantity",
        "a resource amount is not a Kubernetes quantity",
        "Requests, limits and node capacity are Kubernetes quantities: a number with an "
        "optional suffix (`500m`, `2`, `1.5`, `256Mi`, `1G`, `1e3`).  A duration suffix "
        "other than `m` (milli) is not a quantity.",
        "pod a { container app { resources { requests: { cpu: 10s } } } }",
        "Write an amount, not a duration: `cpu: 100m` (0.1 cores), `memory: 256Mi`.",
    ),
    Code(
        "PC206",
        "duplicate-port",
        "a port is listed twice in one pod (a warning, as the API server gives it)",
        "Containers of a pod share one network namespace, so a port can be bound once. "
        "Kubernetes does not reject such a pod: the API server only returns the warning "
        "`duplicate port definition` (pkg/api/pod/warnings.go, warningsForPodSpecAndMeta) "
        "and admits it, and so does podcheck, with this warning. The note says what "
        "happens at run time: a port listed twice by one container, or by an init "
        "container and a container that starts after it has exited, never conflicts; when "
        "two containers run at once, the process that binds second fails and the kubelet "
        "restarts it, a crash loop while the other runs, and the model checks exactly that "
        "(NOTE(port-contention)).",
        "pod a { container x { ports: [80] }  container y { ports: [80] } }",
        "Give one of the containers another port.",
    ),
    Code(
        "PC207",
        "conflicting-fields",
        "fields that cannot be used together",
        "A PDB sets exactly one of `minAvailable` and `maxUnavailable`; a Deployment's "
        "`maxSurge` and `maxUnavailable` cannot both be zero; a workload names its "
        "template with `template: NAME` or writes it inline, not both.",
        "pdb b { selector: { app: web }  minAvailable: 1  maxUnavailable: 1 }",
        "Keep one of the two fields.",
    ),
    Code(
        "PC208",
        "probe-success-threshold",
        "`successThreshold` other than 1 on a liveness or startup probe",
        "Kubernetes requires `successThreshold: 1` for liveness and startup probes; only "
        "readiness probes may need several successes.",
        "pod a { container app { livenessProbe { successThreshold: 2 } } }",
        "Remove `successThreshold` or set it to 1.",
    ),
    Code(
        "PC209",
        "container-restart-policy",
        "a container-level `restartPolicy` that Kubernetes does not allow",
        "A container may set `restartPolicy` only if it is an init container, and only to "
        "`Always` (which makes it a sidecar); app containers follow the pod's policy.",
        "pod a { container app { restartPolicy: Always } }",
        "Remove the field, or move the container to `initContainer` to make it a sidecar.",
    ),
    Code(
        "PC210",
        "unsupported-temporal-shape",
        "a property formula with a temporal shape podcheck cannot check",
        "Supported: a state predicate P (always P), `always P`, `eventually P`, "
        "`always eventually P`, `P ~> Q`, and `always (P implies eventually Q)`, with P "
        "and Q free of temporal operators.",
        "pod a { container app {} }\n"
        "property p: eventually always forall q in pods: q.ready",
        "Rewrite the property into one of the supported shapes.",
    ),
    Code(
        "PC211",
        "formula-type-mismatch",
        "an operator applied to operands of the wrong type",
        "`and`, `or`, `implies`, `not`, quantifier bodies and `where` need booleans; "
        "`+ - *` and `< <= > >=` need integers; `==` and `!=` need both sides of one type.",
        "pod a { container app {} }\nproperty p: always forall q in pods: q.restarts",
        "Compare the value with something: `q.restarts == 0`.",
    ),
    Code(
        "PC212",
        "unknown-object-field",
        "a formula reads a field that the object does not have",
        "Pods, containers and nodes have the fields listed in docs/language.md "
        "(`p.phase`, `c.restarts`, `n.state`, ...).",
        "pod a { container app {} }\nproperty p: always forall q in pods: q.redy",
        "Use one of the listed fields; the help line suggests the closest.",
    ),
    Code(
        "PC213",
        "fails-with-exit-zero",
        "a behaviour with `outcome: fails` and `exitCode: 0`",
        "A container that fails exits with a non-zero code; exit code 0 is success.",
        "behavior b { outcome: fails  exitCode: 0 }",
        "Use a non-zero `exitCode`, or `outcome: succeeds`.",
    ),
    Code(
        "PC214",
        "missing-required",
        "a block lacks something it must have",
        "A workload needs a pod template, a pod template needs at least one `container`, "
        "and a PDB needs `minAvailable` or `maxUnavailable`.",
        "deployment web { replicas: 2 }",
        "Add the missing part.",
    ),
    Code(
        "PC215",
        "workload-restart-policy",
        "a pod `restartPolicy` the workload kind does not allow",
        "Deployments, ReplicaSets and DaemonSets need `restartPolicy: Always` (the "
        "default); Jobs need `OnFailure` or `Never`, so a Job's template must set one.",
        "job j { template { container c {} } }",
        "Set `restartPolicy: OnFailure` or `Never` in a Job's template; remove it elsewhere.",
    ),
    Code(
        "PC216",
        "invalid-label-requirement",
        "a `matchExpressions` entry that is malformed",
        "Each entry has a `key`, an `operator` (In, NotIn, Exists, DoesNotExist) and, for "
        "In and NotIn only, a non-empty list of `values`.",
        "pdb b { minAvailable: 1  matchExpressions: [ { key: tier, operator: In } ] }",
        "Add `values: [...]` for In/NotIn; remove them for Exists/DoesNotExist.",
    ),
    Code(
        "PC217",
        "unknown-fairness-target",
        "a fairness override naming neither an actor nor an action",
        "The keys of `fairness` in an `environment` name who an override applies to: an "
        "actor (`kubelet`, `eviction-api`, ...) overrides every action it takes, an action "
        "class (`liveness_probe_kills`, `evict`, ...) overrides that action only.  A key "
        "that is neither would silently override nothing.",
        "environment { fairness: { evction-api: strong } }",
        "Spell the actor or action as the note lists them; the help line suggests the "
        "closest one.",
    ),
    Code(
        "PC218",
        "api-server-rejects",
        "a pod template the Kubernetes API server would reject",
        "The API server validates pod templates beyond their field types: "
        "`activeDeadlineSeconds` is forbidden in the template of a ReplicaSet, Deployment "
        "or DaemonSet (their pods must run forever), and an init container that is not a "
        "sidecar (`restartPolicy: Always`) may not have liveness, readiness or startup "
        "probes (it runs to completion).  The message quotes the API server's error.",
        "deployment web { template { activeDeadlineSeconds: 60  container app {} } }",
        "Remove the field, or make the init container a sidecar.",
    ),
    # ---- 3xx: model construction -------------------------------------------------
    Code(
        "PC301",
        "pdb-selects-nothing",
        "a PodDisruptionBudget whose selector matches no pod of the spec",
        "A PDB protects the pods its selector matches.  One that matches none protects "
        "nothing: every eviction of the pods you meant to protect is granted.  Reported "
        "as a warning; the model is still built.",
        "deployment web { template { labels: { app: web } container app {} } }\n"
        "pdb web-pdb { selector: { app: wbe }  minAvailable: 1 }",
        "Make the selector match the pod template labels.",
    ),
    Code(
        "PC302",
        "unsupported-property-shape",
        "a property formula the model compiler cannot express",
        "Properties are a state formula (meaning `always`), `always P`, `eventually P`, "
        "`always eventually P`, `P ~> Q` or `always (P implies eventually Q)`, with P and "
        "Q free of temporal operators; state names must be compared with a field that "
        "takes them.",
        "pod a { container app {} }\nproperty p: eventually always a.ready",
        "Rewrite the formula into one of the supported shapes.",
    ),
    Code(
        "PC303",
        "large-state-space",
        "the estimated state space exceeds what the run's limits can store",
        "Before exploring, `check` (and `parse`, under the default limits) estimates the "
        "number of states from the model's variable ranges: per pod, node or controller "
        "the product of its variables' ranges capped at 10, multiplied, with the "
        "interchangeable pods of a workload counted once per orbit when symmetry is on "
        "(docs/reliability.md).  When the estimate exceeds `--max-states`, or the states "
        "that fit in `--max-memory`, the run will likely stop inconclusive.  The "
        "warning points at the environment (or the first workload) and says which option "
        "would help.  Reported as a warning.",
        "deployment web { replicas: 300  template { container app {} } }",
        "Drop --no-symmetry, use fewer replicas or nodes, or store 64-bit hashes only "
        "(`--engine vector --fingerprint`).",
    ),
    Code(
        "PC304",
        "pdb-fail-safe",
        "the disruption controller cannot compute a PDB's status",
        "With a percentage minAvailable or a maxUnavailable the disruption controller "
        "needs the scale of the pods' controller; Jobs and DaemonSets have none, so the "
        "controller falls back to failSafe (disruptionsAllowed 0) and the eviction API "
        "refuses every eviction of a Ready pod the PDB covers.  Reported as a warning: "
        "this is Kubernetes' behaviour, and drains of such nodes never complete.",
        "daemonset agent { template { labels: { app: a } container c {} } }\n"
        "pdb p { selector: { app: a }  maxUnavailable: 1 }",
        "Use an integer minAvailable, or protect pods of a Deployment or ReplicaSet.",
    ),
    Code(
        "PC305",
        "multiple-pdbs",
        "pods selected by more than one PodDisruptionBudget",
        "The eviction API does not support a pod covered by two PDBs: it answers 500 to "
        "every eviction of a Running pod, so a drain never completes.  Reported as a "
        "warning.",
        "pdb a { selector: { app: web }  minAvailable: 1 }\n"
        "pdb b { selector: { app: web }  maxUnavailable: 1 }",
        "Make the PDB selectors disjoint.",
    ),
    Code(
        "PC306",
        "kubernetes-rejects-value",
        "a value Kubernetes itself would reject while building the model",
        "The model calls the Kubernetes rules of `podcheck.kube` (quantities, "
        "selectors, effective requests); one of them rejected a value of the spec.",
        "node n1 { capacity: { cpu: 2x } }",
        "Correct the value the message names.",
    ),
    Code(
        "PC307",
        "termination-unobserved",
        "deleted pods removed at once where nothing can observe them Terminating",
        "A delete with a grace period leaves the pod Terminating for up to "
        "terminationGracePeriodSeconds, and its disappearance interleaves with everything "
        "else.  Where no property of the spec's own, `no-unready-traffic`, "
        "`rollout-progresses`, drain timeout, autoscaler scale-down, node capacity the pods "
        "request, inter-pod (anti-)affinity, topology spread or preStop hook can tell a "
        "Terminating pod from one that is gone, the model removes the pod at its delete: "
        "the verdicts are the same (NOTE(termination-unobserved) in docs/semantics.md), "
        "the counterexamples skip the Terminating step.  StatefulSet and DaemonSet pods "
        "always terminate.  Reported as a note.",
        "deployment web { replicas: 2  template { container app {} } }\n"
        "environment { drain: [n1] }",
        "Write a property that reads `terminating` to see the Terminating pods.",
    ),
    Code(
        "PC308",
        "settled-start",
        "the run starts from the settled workload, not from Pending pods",
        "With `environment { start: settled }` the run's initial states are the settled "
        "states of the model's own start-up (NOTE(settled-start) in docs/semantics.md): "
        "every long-running pod bound where the scheduler's filters allow, its "
        "containers Running, its probes passed and Ready, no timer running, and no "
        "disruption yet; with symmetry one state per orbit.  The start-up itself is not "
        "explored, so no verdict of the run covers it.  Reported as a note.",
        "deployment web { replicas: 2  template { container app {} } }\n"
        "environment { start: settled  nodeFailures: 1 }",
        "Drop `start: settled` to explore the start-up too.",
    ),
    Code(
        "PC309",
        "no-settled-state",
        "`start: settled` found no settled state",
        "The start-up search (NOTE(settled-start)) found no state in which every "
        "long-running pod is bound, Running, Ready and quiescent: some pod fits no node, "
        "a container never becomes Ready, or the spec has a Job or CronJob, which runs "
        "to completion and never settles.  Also reported when a property reads the time "
        "since the start (a `within` bound, `elapsed`, the progress deadline): the search "
        "brings pods up one after another, so its clock is not a real start-up's.",
        "deployment web { replicas: 2  template { nodeSelector: { disk: ssd } "
        "container app {} } }\nenvironment { start: settled }",
        "Drop `start: settled` and look at the pod that never comes up.",
    ),
    # ---- 4xx: manifests (Kubernetes YAML) ----------------------------------------
    Code(
        "PC401",
        "yaml-syntax-error",
        "the input is not valid YAML",
        "The YAML parser could not read the input: an indentation that does not line up, "
        "an unclosed quote or bracket, a tab used for indentation, a duplicate key.  The "
        "position is where the parser noticed the problem.",
        "spec:\n  replicas: 3\n containers: []",
        "Fix the YAML at the position shown; `kubectl apply --dry-run=client -f FILE` "
        "reports the same problem.",
    ),
    Code(
        "PC402",
        "unsafe-yaml",
        "a YAML tag or feature that a manifest may not use",
        "Manifests hold plain maps, lists, strings, numbers and booleans.  podcheck reads "
        "them with PyYAML's safe composer and refuses every other tag (such as "
        "`!!python/object/apply:`, which an unsafe loader would execute) before anything "
        "is constructed.  YAML merge keys (`<<`) are refused too.",
        "metadata: !!python/object/apply:os.system [\"id\"]",
        "Remove the tag; write merged keys out.",
    ),
    Code(
        "PC403",
        "yaml-too-large",
        "the input is too large, nests too deep, or its aliases expand too far",
        "podcheck bounds what it reads: an input of more than 8 MiB, a document that "
        "expands (aliases included) to more than 200 000 nodes, or one that nests more than "
        "64 levels deep is refused.  Alias bombs (\"billion laughs\") and self-referencing "
        "anchors end here instead of exhausting memory.",
        "a: &a [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]",
        "Remove the anchors and aliases, or check fewer manifests at once.",
    ),
    Code(
        "PC404",
        "not-a-kubernetes-object",
        "a YAML document that is not a Kubernetes object",
        "Every document must be a mapping with string `apiVersion` and `kind` fields (and, "
        "except for `kind: List`, a `metadata.name`).  A `kind: List` holds objects in "
        "`items`.",
        "- apiVersion: v1\n  kind: Pod",
        "Make each document one object, or wrap a list of objects in `kind: List` / "
        "`items:`.",
    ),
    Code(
        "PC405",
        "unknown-api-version",
        "an apiVersion that does not serve this kind",
        "The API server serves each kind in certain groups and versions: Deployments in "
        "`apps/v1`, Jobs and CronJobs in `batch/v1`, PodDisruptionBudgets in `policy/v1`. "
        "A wrong pair is refused as kubectl refuses it (`no matches for kind ... in "
        "version ...`); versions removed from Kubernetes (`policy/v1beta1` since 1.25, "
        "`extensions/v1beta1` workloads since 1.16) are refused for the Kubernetes version "
        "being checked (`--kubernetes-version`).",
        "apiVersion: v1\nkind: Deployment",
        "Use the apiVersion named in the help line.",
    ),
    Code(
        "PC406",
        "missing-required-field",
        "an object lacks a field the API server requires",
        "The API server answers `Required value` for a missing required field: a "
        "controller without `spec.selector` or `spec.template`, a pod without containers, "
        "a container without `name` or `image`, a Job whose pods would restart Always.",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {}",
        "Add the field named in the message at the path shown.",
    ),
    Code(
        "PC407",
        "invalid-field-value",
        "a field value the API server rejects",
        "The value is of the wrong type or outside what Kubernetes' validation accepts "
        "(`Invalid value`, `Unsupported value`, `Forbidden`); the message quotes the API "
        "server's wording, with the field path.",
        "spec:\n  replicas: -1",
        "Change the value as the message says.",
    ),
    Code(
        "PC408",
        "unmodelled-field",
        "a field that changes behaviour but that podcheck does not model",
        "Affinity, tolerations, topology spread, node selectors, lifecycle hooks, pod "
        "failure policies, update strategies and the like change what Kubernetes does, "
        "but the model has no place for them.  podcheck checks the objects as if the "
        "field were absent and says so, rather than ignoring it silently.",
        "spec:\n  template:\n    spec:\n      tolerations: [{operator: Exists}]",
        "Read the verdicts with the field's effect in mind, or remove the field from the "
        "copy you check.",
    ),
    Code(
        "PC409",
        "ignored-kind",
        "objects of a kind that podcheck does not model",
        "Services, ConfigMaps, Secrets, Ingresses, ServiceAccounts and every other kind "
        "that owns no pods and guards none are listed once, per kind, and otherwise "
        "ignored.",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}",
        "Nothing to do; the note lists what was skipped.",
    ),
    Code(
        "PC410",
        "approximated-kind",
        "a kind or setting modelled by a close approximation",
        "A CronJob is modelled as one run of its Job, and a HorizontalPodAutoscaler by "
        "checking its target at every count of `minReplicas..maxReplicas`, each as a "
        "fixed count (one run per count; at `minReplicas` alone when the ranges have "
        "more than 256 points).  docs/manifests.md says for each why the "
        "approximation cannot turn a violation into `holds`, or where it can.",
        "apiVersion: batch/v1\nkind: CronJob",
        "Read the warning's note; the findings name the counts at which each property "
        "fails.",
    ),
    Code(
        "PC411",
        "invalid-behavior-annotation",
        "a `podcheck.io/` annotation podcheck cannot read",
        "Behaviour the YAML does not say is given as annotations on the pod template: "
        "`podcheck.io/startup-seconds: \"60-90\"` and `podcheck.io/outcome.<container>: "
        "runs | succeeds | fails | crashes-once | hangs`; a parameter as "
        "`podcheck.io/range.<container>.<probe>.<field>: \"1-10\"`.  An unknown annotation, "
        "a value that is not one of these, or a container or probe the pod does not have "
        "is reported.",
        "podcheck.io/outcome.app: sometimes",
        "Use the forms in docs/manifests.md.",
    ),
    Code(
        "PC412",
        "no-manifests",
        "an input holds no Kubernetes object podcheck can check",
        "A manifest path must be a YAML file, `-` (stdin), or a directory holding `*.yaml` "
        "or `*.yml` files (searched recursively); it must exist, be readable as UTF-8, and "
        "hold at least one workload.",
        "podcheck check empty-dir/",
        "Point podcheck at the manifests (`helm template . | podcheck check -`).",
    ),
    Code(
        "PC413",
        "duplicate-object",
        "two objects with the same kind, namespace and name",
        "The API server keeps one object per kind, namespace and name: the second `kubectl "
        "apply` replaces the first.  podcheck keeps the first and reports the second.",
        "two `kind: Deployment` documents both named `web`",
        "Rename one, or remove the stale copy.",
    ),
    Code(
        "PC414",
        "zero-config-defaults",
        "the cluster, disruptions and checks used when the manifests do not say",
        "Manifests describe workloads, not the cluster they run on or what may happen to "
        "it.  Unless options say otherwise podcheck assumes 3 nodes (or the Node objects "
        "given), rolling maintenance (any node drained through the eviction API, one at a "
        "time, uncordoned once empty), at most one involuntary node failure, and the "
        "built-in checks; this note prints the assumptions at the start of the run.",
        "podcheck check k8s/",
        "Adjust with `--nodes`, `--failures`, `--concurrent-drains`, `--check` and "
        "`--kubernetes-version`.",
    ),
    Code(
        "PC415",
        "unknown-manifest-field",
        "a field podcheck does not know",
        "The field is neither read by the model nor known to be without effect; it may be "
        "misspelt (the API server rejects unknown fields under strict validation) or newer "
        "than podcheck.",
        "spec:\n  replica: 3",
        "Check the spelling against the Kubernetes API reference.",
    ),
    Code(
        "PC416",
        "owned-object-skipped",
        "an object owned by a controller in the same input is not counted twice",
        "`kubectl get deploy,rs,pods -o yaml` lists a Deployment, the ReplicaSets it owns "
        "and their pods.  Objects whose controller owner reference names an object of the "
        "input are the controller's doing, so only the controller is modelled.",
        "a ReplicaSet with an ownerReference to Deployment `web`, next to `web`",
        "Nothing to do.",
    ),
    Code(
        "PC417",
        "fits-no-node",
        "a pod requests more of a resource than any node has allocatable",
        "The scheduler binds a pod only to a node whose allocatable resources cover the "
        "pod's requests: the largest of any init container's requests and the sum of the "
        "app containers' and sidecars' requests (resource.PodRequests).  When no node is "
        "large enough the pod stays Pending forever; the model finds the same as a "
        "deadlock, this warning names the container responsible.",
        "initContainers:\n- name: migrate\n  resources: {requests: {memory: 64Gi}}",
        "Lower the request, or add a node (a Node object) large enough for it.",
    ),
    # ---- 5xx: engine and solver --------------------------------------------------
    Code(
        "PC501",
        "model-out-of-bounds",
        "an action drove a state variable outside its declared domain",
        "The model compiler declares a finite domain for every state variable. An action "
        "whose update leaves that domain means the compiled model is wrong: podcheck stops "
        "instead of exploring states it cannot represent. This is a bug in podcheck, "
        "not in your spec.",
        "(any spec that triggers the bug)",
        "Report the spec and the message; as a workaround, simplify the spec around the "
        "named action.",
    ),
    Code(
        "PC502",
        "run-stopped",
        "a whole-run limit or Ctrl-C stopped the run before the exploration",
        "`--timeout` and `--max-memory` bound the whole run: loading, compiling, exploring "
        "and checking liveness.  When one of them (or Ctrl-C) stops the run before any "
        "state was explored, there is no verdict: the run is inconclusive (exit 3, or 130 "
        "for Ctrl-C) and this warning names the phase it was in.",
        "(a spec with `replicas: 10000` under `--timeout 0.1`)",
        "Raise the limit, or make the spec smaller (fewer replicas or nodes).",
    ),
    Code(
        "PC503",
        "vacuous-disruption",
        "a disruption the environment declares is never enabled in any reachable state",
        "The environment block asks for a disruption (a drain, a node or zone failure, a "
        "direct pod delete, a rollout), but no reachable state lets it happen: with "
        "`disruptionsStart: once-settled` because some pod never comes up, or because the "
        "disruption's own precondition never holds.  Every verdict that holds was then "
        "reached without that disruption being tested, so `holds` says nothing about it.  "
        "Reported as a warning after an exhaustive search (bfs and vector engines); the "
        "JSON report lists the disruptions under `vacuousDisruptions`.",
        "deployment web { replicas: 1  template { container app { readiness: {} "
        "behavior: { outcome: hangs } } } }\n"
        "environment { drain: all  disruptionsStart: once-settled }",
        "Fix the pod that never comes up, or drop `disruptionsStart: once-settled` so "
        "disruptions may begin from the first state.",
    ),
    Code(
        "PC504",
        "outside-counter-abstraction",
        "`podcheck counts` cannot decide this spec over counts of pods",
        "`podcheck counts` proves `budget-respected` and `drain-completes` for every "
        "replica count of a range at once, over counts of pods per (status, node) "
        "(docs/smt.md, \"Parametric proofs over counters\").  That abstraction is exact "
        "only for the shape it was built and cross-checked for: one Deployment or "
        "ReplicaSet whose replica count is the range, nodes without taints, one PDB "
        "selecting its pods (whose budget may be a second range), no other range, "
        "drained nodes (one at a time or concurrently, without --timeout), node "
        "failures and nothing else in the environment, containers that start and stay "
        "up (a readiness probe at most), no placement rules or requests.  "
        "The message names the first part of the spec outside that shape.",
        "cluster { nodes: 3 }\ndeployment web { replicas: 1..100  template { container "
        "app {} } }\npdb web { selector: { app: web }  minAvailable: 1 }\n"
        "environment { drain: [n1]  drainTimeout: 5m }\ncheck drain-completes",
        "Check the spec with `podcheck check` (explicit states, at most 256 points of "
        "its ranges), or reduce it to the shape above.",
    ),
    Code(
        "PC505",
        "counter-disagreement",
        "the counter abstraction and the explicit model disagree at a small count",
        "Before it reports, `podcheck counts` checks the spec with explicit BFS (the "
        "full model) at the smallest counts of the range and compares each verdict with "
        "the proof over counts.  A difference means the abstraction does not describe "
        "this spec: podcheck reports no parametric verdict.  This is a bug in podcheck, "
        "not in your spec.",
        "(any spec that triggers the bug)",
        "Report the spec; as a workaround, check it per count with `podcheck check`.",
    ),
    Code(
        "PC506",
        "counts-decides-range",
        "`podcheck counts` decides this replica range at once",
        "`podcheck check` explores a replica range one count at a time (each count its own "
        "state space, growing with the count), and may give no answer in any reasonable "
        "time for a range such as `replicas: 1..50`.  When the spec has the shape that "
        "`podcheck counts` proves over counts of pods (PC504 lists it: one Deployment or "
        "ReplicaSet whose replica count is the range, untainted nodes, one PDB, drained "
        "nodes, node failures; `budget-respected`, `drain-completes`, "
        "`rollout-progresses`), `podcheck counts FILE` proves those properties for every "
        "count of the range at once (Spacer), or names the smallest count at which one "
        "fails, after comparing itself with explicit BFS at the smallest counts.  This "
        "note says so before `check` explores, and an inconclusive run (a limit, "
        "`--timeout`) repeats it at the end of its report.",
        "cluster { nodes: 2 }\ndeployment web { replicas: 1..50  template { labels: { app: web }"
        "  container app {} } }\npdb web { selector: { app: web }  maxUnavailable: 1 }\n"
        "environment { drain: [n1] }\ncheck budget-respected\ncheck drain-completes",
        "Run `podcheck counts FILE` for the whole range, and `podcheck check` at the count "
        "it names (or at a few counts) for the run itself.",
    ),
)

REGISTRY: dict[str, Code] = {c.code: c for c in _ENTRIES}
assert len(REGISTRY) == len(_ENTRIES), "duplicate diagnostic code"


# Each code as a named constant: the only spelling of `PCnnn` outside the table above
# (a test fails on a `"PC\d{3}"` literal anywhere else in podcheck).
SYNTAX_ERROR: Final = "PC001"
UNEXPECTED_CHARACTER: Final = "PC002"
UNTERMINATED_STRING: Final = "PC003"
UNEXPECTED_END_OF_FILE: Final = "PC004"
MISSING_COLON: Final = "PC005"
ASSIGNMENT_IN_FORMULA: Final = "PC006"
UNCLOSED_DELIMITER: Final = "PC007"
KEYWORD_AS_NAME: Final = "PC008"
MISSING_VALUE: Final = "PC009"
ARROW_OPERATOR: Final = "PC010"
INVALID_NUMBER: Final = "PC011"
CHAINED_OPERATOR: Final = "PC012"
FIELD_OUTSIDE_BLOCK: Final = "PC013"
UNMATCHED_DELIMITER: Final = "PC014"
INVALID_ENCODING: Final = "PC015"
NESTING_TOO_DEEP: Final = "PC016"
TOKEN_TOO_LONG: Final = "PC017"
UNKNOWN_BLOCK_KIND: Final = "PC101"
UNKNOWN_FIELD: Final = "PC102"
DUPLICATE_NAME: Final = "PC103"
DUPLICATE_FIELD: Final = "PC104"
UNKNOWN_REFERENCE: Final = "PC105"
UNKNOWN_PROPERTY: Final = "PC106"
UNKNOWN_BUILTIN_CHECK: Final = "PC107"
UNBOUND_NAME: Final = "PC108"
WRONG_KIND_REFERENCE: Final = "PC109"
IMPORT_NOT_FOUND: Final = "PC110"
IMPORT_CYCLE: Final = "PC111"
UNREADABLE_FILE: Final = "PC112"
BLOCK_NAME: Final = "PC113"
DUPLICATE_EXPECT: Final = "PC114"
INCLUDE_CYCLE: Final = "PC115"
BUILTIN_ARGUMENTS: Final = "PC116"
NOT_A_REGULAR_FILE: Final = "PC117"
INPUT_TOO_LARGE: Final = "PC118"
PATH_TOO_LONG: Final = "PC119"
SYMLINK_LOOP: Final = "PC120"
UNKNOWN_IMPORTED_OBJECT: Final = "PC121"
WRONG_VALUE_TYPE: Final = "PC201"
VALUE_OUT_OF_RANGE: Final = "PC202"
UNKNOWN_ENUM_VALUE: Final = "PC203"
UNKNOWN_STATE_NAME: Final = "PC204"
INVALID_QUANTITY: Final = "PC205"
DUPLICATE_PORT: Final = "PC206"
CONFLICTING_FIELDS: Final = "PC207"
PROBE_SUCCESS_THRESHOLD: Final = "PC208"
CONTAINER_RESTART_POLICY: Final = "PC209"
UNSUPPORTED_TEMPORAL_SHAPE: Final = "PC210"
FORMULA_TYPE_MISMATCH: Final = "PC211"
UNKNOWN_OBJECT_FIELD: Final = "PC212"
FAILS_WITH_EXIT_ZERO: Final = "PC213"
MISSING_REQUIRED: Final = "PC214"
WORKLOAD_RESTART_POLICY: Final = "PC215"
INVALID_LABEL_REQUIREMENT: Final = "PC216"
UNKNOWN_FAIRNESS_TARGET: Final = "PC217"
API_SERVER_REJECTS: Final = "PC218"
PDB_SELECTS_NOTHING: Final = "PC301"
UNSUPPORTED_PROPERTY_SHAPE: Final = "PC302"
LARGE_STATE_SPACE: Final = "PC303"
PDB_FAIL_SAFE: Final = "PC304"
MULTIPLE_PDBS: Final = "PC305"
KUBERNETES_REJECTS_VALUE: Final = "PC306"
TERMINATION_UNOBSERVED: Final = "PC307"
SETTLED_START: Final = "PC308"
NO_SETTLED_STATE: Final = "PC309"
YAML_SYNTAX_ERROR: Final = "PC401"
UNSAFE_YAML: Final = "PC402"
YAML_TOO_LARGE: Final = "PC403"
NOT_A_KUBERNETES_OBJECT: Final = "PC404"
UNKNOWN_API_VERSION: Final = "PC405"
MISSING_REQUIRED_FIELD: Final = "PC406"
INVALID_FIELD_VALUE: Final = "PC407"
UNMODELLED_FIELD: Final = "PC408"
IGNORED_KIND: Final = "PC409"
APPROXIMATED_KIND: Final = "PC410"
INVALID_BEHAVIOR_ANNOTATION: Final = "PC411"
NO_MANIFESTS: Final = "PC412"
DUPLICATE_OBJECT: Final = "PC413"
ZERO_CONFIG_DEFAULTS: Final = "PC414"
UNKNOWN_MANIFEST_FIELD: Final = "PC415"
OWNED_OBJECT_SKIPPED: Final = "PC416"
FITS_NO_NODE: Final = "PC417"
MODEL_OUT_OF_BOUNDS: Final = "PC501"
RUN_STOPPED: Final = "PC502"
VACUOUS_DISRUPTION: Final = "PC503"
OUTSIDE_COUNTER_ABSTRACTION: Final = "PC504"
COUNTER_DISAGREEMENT: Final = "PC505"
COUNTS_DECIDES_RANGE: Final = "PC506"


def lookup(code: str) -> Code | None:
    """The registry entry for `code` (case-insensitive, `PC101` or `101`), if any."""
    key = code.strip().upper()
    if key.isdigit():
        key = f"PC{int(key):03d}"
    return REGISTRY.get(key)
