# dms-hub image: the API, the CLI, the workers, the scheduler and the simulators (demo profile).
FROM python:3.11-slim-bookworm

# ODBC driver manager and drivers for the staging-table connectors; the CJK font of statement PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends unixodbc odbc-postgresql odbc-mariadb tdsodbc fonts-wqy-microhei \
 && sed -i 's/^CommLog=1/CommLog=0/' /etc/odbcinst.ini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY dms_domain ./dms_domain
COPY hub ./hub
COPY connectors ./connectors
COPY staging_tables ./staging_tables
COPY simulators ./simulators
COPY mappings ./mappings
RUN pip install --no-cache-dir . && useradd --system --uid 10001 dms
USER dms
ENV DMS_ENV=production
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["dms-hub", "up", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
