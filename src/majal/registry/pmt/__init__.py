"""The targeting engines of the social registry: pure, vectorised (numpy, Polars), no web framework, no session.

- `data`          the import format of households and members, its coercion and checks (`data.prepare`)
- `expressions`   the expression language of a model's variables, compiled to Polars and to SQL
- `derivations`   the JSON form of those expressions in a model file, read with a location for every mistake
- `model_file`    the versioned PMT model file: read, checked, written; the shipped model (`models/`)
- `scoring`       the index of every household (`score_population`) and the drivers that explain it
- `fitting`       a model estimated from a survey (least squares, urban and rural apart)
- `programmes`    versioned eligibility rules (AMO Tadamon, ASD) and the ASD entitlement calculator
- `evaluation`    targeting errors, quintile and decile coverage, AUC
- `batch`         score + eligibility + amounts for a whole population, the engine half of `majal registry score`
- `sql`           the same model file and rules as Spark SQL (also runs on DuckDB), for when one machine is not enough
- `synth`         a deterministic synthetic population with a hidden true consumption (tests, benchmarks, the demo)

The registry's service calls them with plain tables; so do `majal registry score` and the benchmarks, at national
scale, without a web server or a database.
"""
