FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    APPEALDESK_HTTP_HOST=0.0.0.0 \
    APPEALDESK_EVIDENCE_DIR=/data/evidence \
    APPEALDESK_SECRET_KEY_FILE=/data/secret_key \
    APPEALDESK_DATABASE_URL=sqlite:////data/appealdesk.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir .
COPY templates ./templates
COPY knowledge ./knowledge
ENV APPEALDESK_TEMPLATES_DIR=/app/templates APPEALDESK_KNOWLEDGE_DIR=/app/knowledge

RUN useradd --create-home --uid 10001 appealdesk && mkdir -p /data && chown appealdesk /data
USER appealdesk
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["appealdesk", "run"]
