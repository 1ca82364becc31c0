# The image for installs that outgrow one machine: several of these stateless processes behind
# a reverse proxy, sharing one PostgreSQL (DVK_DATABASE_URL). Nothing is kept in process memory
# that another process needs.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /srv/dvk
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . && useradd --system --home /srv/dvk dvk && mkdir -p var && chown dvk var
USER dvk
EXPOSE 8000
# Migrate, then serve; DVK_SECRET_KEY and DVK_DATABASE_URL must be given at run time.
CMD ["sh", "-c", "dvk migrate && dvk serve --host 0.0.0.0 --port 8000 --workers ${DVK_WORKERS:-2}"]
