# Dossier's web and worker image (used by docker-compose.yml).
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra \
    tesseract-ocr-eng poppler-utils fonts-noto-cjk qpdf \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 dossier
WORKDIR /app
COPY pyproject.toml README.md ./
COPY dossier ./dossier
COPY storage ./storage
COPY ingest ./ingest
COPY search ./search
COPY retention ./retention
COPY webapp ./webapp
RUN pip install --no-cache-dir .
USER dossier
ENV DOSSIER_HOME=/data OMP_THREAD_LIMIT=1
VOLUME ["/data"]
EXPOSE 8000
CMD ["dossier", "serve", "--host", "0.0.0.0", "--port", "8000"]
