"""Social registry: households and members, the proxy-means-test index, programme eligibility and entitlements.

Engine modules (pure, vectorised, no web framework and no database session):

- `data`        the import format of households and members, its coercion and validation (`prepare`)
- `scoring`     the versioned PMT model file, the index (`score`) with its explanation, and `fit`
- `programmes`  versioned eligibility rules (AMO Tadamon, ASD) and the ASD entitlement calculator
- `evaluation`  targeting errors, quintile and decile coverage, AUC
- `synth`       a deterministic synthetic population with a hidden true consumption
- `batch`       score + eligibility + amounts for a whole population, the engine half of `majal registry score`
- `sql`         the same model file and rules as Spark SQL (also runs on DuckDB), for when one machine is not enough
"""
