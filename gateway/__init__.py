"""hallmesh gateway: the authoritative queue state of one hall, its store and its MQTT adapter."""
